"""Create the secret files docker-compose.yml mounts under /run/secrets, each once: an existing file is kept.

Prints which files it wrote, never what is in them. The folder is private (0700); the files are
world-readable inside it because compose bind-mounts them as they are, and the containers run as their
own users (Cerdas as uid 10001), which must read them.
Usage: python deploy/make_secrets.py [FOLDER]   (default deploy/secrets)
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

# The four services and the console each own a database (deploy/postgres/init-databases.sh).
DATABASES = ("assessment", "mou", "mentoring", "notifications", "console")
DATABASE_USER = "cerdas"
MAILPIT_USER = "cerdas"


def _database_url(service: str) -> Callable[[Path], str]:
    def make(folder: Path) -> str:
        password = (folder / "postgres_password").read_text().strip()
        return f"postgresql://{DATABASE_USER}:{password}@postgres:5432/{service}"

    return make


def _mailpit_auth(folder: Path) -> str:
    # htpasswd's {SHA} form, which Mailpit reads; the plain password stays in mailpit_ui_password.
    password = (folder / "mailpit_ui_password").read_text().strip()
    digest = base64.b64encode(hashlib.sha1(password.encode(), usedforsecurity=False).digest()).decode()
    return f"{MAILPIT_USER}:{{SHA}}{digest}"


# In order: a URL or an auth file is made from a password written before it.
FILES: dict[str, Callable[[Path], str]] = {
    "jwt_secret": lambda _: secrets.token_hex(32),
    # Used only while rotating (docs/operations.md): until then it holds an unused random value.
    "jwt_previous_secret": lambda _: secrets.token_hex(32),
    # URL-safe characters, so the password needs no escaping inside the database URLs.
    "postgres_password": lambda _: secrets.token_urlsafe(24),
    **{f"{name}_database_url": _database_url(name) for name in DATABASES},
    "console_secret_key": lambda _: secrets.token_hex(32),
    "mailpit_ui_password": lambda _: secrets.token_urlsafe(16),
    "mailpit_ui_auth": _mailpit_auth,
}


def make_secrets(folder: Path) -> list[str]:
    """Write the missing files; return the names written."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    written = []
    for name, make in FILES.items():
        path = folder / name
        if path.exists():
            continue
        path.write_text(make(folder) + "\n")
        path.chmod(0o644)
        written.append(name)
    return written


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else Path("deploy/secrets")
    written = make_secrets(folder)
    kept = len(FILES) - len(written)
    print(f"{folder}: wrote {', '.join(written) or 'nothing'}; kept {kept} existing file(s)")
    if "mailpit_ui_password" in written:
        print(f"Mailpit's inbox (http://localhost:8025): user {MAILPIT_USER}, password in {folder}/mailpit_ui_password")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
