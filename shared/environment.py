"""Reading CERDAS_* variables: each reader checks one kind of value and names the variable when it is wrong."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

# Secrets that have been published (in this repository, its docs or its tests) never sign in production.
KNOWN_SECRETS = frozenset(
    {
        "cerdas-development-secret-not-for-production-use",
        "test-secret-for-cerdas-which-is-long-enough",
        "changeme",
        "secret",
    }
)
# A production secret carries at least this much entropy (e.g. `openssl rand -hex 32` gives about 250 bits).
MIN_SECRET_BITS = 128


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


def get_value(env: Mapping[str, str], name: str, default: str | None = None) -> str:
    """The variable's value, or the content of the file ``NAME_FILE`` names (Docker and Kubernetes secrets)."""
    value = env.get(name)
    file_name = env.get(f"{name}_FILE", "").strip()
    if file_name:
        if value is not None and value.strip():
            raise SettingsError(f"set {name} or {name}_FILE, not both")
        try:
            value = Path(file_name).read_text("utf-8")
        except OSError as exc:
            raise SettingsError(f"{name}_FILE={file_name!r} cannot be read: {exc.strerror}") from None
    if value is None or value.strip() == "":
        if default is None:
            raise SettingsError(f"{name} is required but not set (or set {name}_FILE to a file holding it)")
        return default
    return value.strip()


def mask(url: str) -> str:
    """A URL fit to print: its password replaced by ***."""
    # A regular expression rather than urlsplit: a malformed URL (the one being reported) must be masked too.
    return re.sub(r"^([a-z][a-z0-9+.-]*://[^:/@]*):[^@/]*@", r"\1:***@", url, flags=re.I)


def url_value(env: Mapping[str, str], name: str, default: str, schemes: tuple[str, ...]) -> str:
    value = get_value(env, name, default)
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (parsing the port is what checks it)
    except ValueError:
        raise SettingsError(f"{name}={mask(value)!r} is not a valid URL") from None
    if parts.scheme not in schemes:
        raise SettingsError(f"{name}={mask(value)!r} must be a URL with scheme {' or '.join(schemes)}")
    if parts.scheme.startswith(("redis", "smtp", "http")) and not parts.hostname:
        raise SettingsError(f"{name}={mask(value)!r} must name a host")
    return value


def secret_bits(secret: str) -> float:
    """Shannon entropy of the secret's characters times its length: a cheap floor under guessability."""
    counts = Counter(secret)
    per_char = -sum(n / len(secret) * math.log2(n / len(secret)) for n in counts.values())
    return per_char * len(secret)


def jwt_secret_value(env: Mapping[str, str], name: str, production: bool, default: str | None) -> str | None:
    secret = get_value(env, name, default) if default is not None or env.get(name) or env.get(f"{name}_FILE") else None
    if secret is None:
        return None
    if len(secret) < 32:
        raise SettingsError(f"{name} must be at least 32 characters long")
    if production:
        if secret in KNOWN_SECRETS:
            raise SettingsError(f"{name} is a published example secret; generate one with `openssl rand -hex 32`")
        if secret_bits(secret) < MIN_SECRET_BITS:
            raise SettingsError(
                f"{name} is too easy to guess (about {secret_bits(secret):.0f} bits); "
                "generate one with `openssl rand -hex 32`"
            )
    return secret


def number_value(env: Mapping[str, str], name: str, default: float, minimum: float = 0) -> float:
    raw = get_value(env, name, str(default))
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} must be a number") from None
    if value < minimum:
        raise SettingsError(f"{name}={raw!r} must be at least {minimum}")
    return value


def int_value(env: Mapping[str, str], name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    raw = get_value(env, name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} must be a whole number") from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise SettingsError(f"{name}={raw!r} must be {bound}")
    return value


def days_value(env: Mapping[str, str], name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    raw = get_value(env, name, ",".join(str(d) for d in default))
    try:
        days = tuple(sorted({int(part) for part in raw.split(",") if part.strip()}, reverse=True))
    except ValueError:
        raise SettingsError(f"{name}={raw!r} must be a comma-separated list of whole days, e.g. 7,3,1") from None
    if any(d <= 0 for d in days):
        raise SettingsError(f"{name}={raw!r} must list days greater than zero")
    return days


def roles_value(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = get_value(env, name, ",".join(default))
    roles = tuple(part.strip() for part in raw.split(",") if part.strip())
    if not roles or any(not part.replace("_", "").isalpha() for part in roles):
        raise SettingsError(f"{name}={raw!r} must be a comma-separated list of official roles, least senior first")
    return roles


def extra_roles_value(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Official roles a region may record besides the standard five, e.g. ``inspectorate_head``."""
    raw = env.get(name, "").strip()
    roles = tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    if any(not re.fullmatch(r"[a-z][a-z_]{1,39}", role) for role in roles):
        raise SettingsError(f"{name}={raw!r} must be a comma-separated list of lower_case role names")
    return roles


def bool_value(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = get_value(env, name, "true" if default else "false").lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name}={raw!r} must be true or false")


def instant_value(env: Mapping[str, str], name: str) -> datetime | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise SettingsError(f"{name}={raw!r} must be an ISO 8601 instant, e.g. 2023-02-28T03:00:00Z") from None
    if value.tzinfo is None:
        raise SettingsError(f"{name}={raw!r} must carry a time zone offset (e.g. Z)")
    return value
