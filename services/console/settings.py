"""The console's own settings, read from CERDAS_CONSOLE_* beside the platform settings every process reads."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from shared.environment import (
    SettingsError,
    bool_value,
    get_value,
    int_value,
    jwt_secret_value,
    url_value,
)

# Kept apart from shared.registry: the console consumes and publishes no events, so it has no queue
# and no place in the routing that the registry drives.
CONSOLE_PORT = 5005
DEV_SECRET_KEY = "cerdas-console-development-key-not-for-production"  # noqa: S105 (refused in production)


@dataclass(frozen=True)
class OidcSettings:
    """A standard OpenID Connect provider (Keycloak, Azure AD, Google Workspace ...)."""

    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid profile email"
    roles_claim: str = "roles"
    region_claim: str = "region"
    username_claim: str = "preferred_username"

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


@dataclass(frozen=True)
class ConsoleSettings:
    secret_key: str
    database_url: str
    public_url: str
    token_minutes: int = 5
    session_hours: int = 8
    local_accounts: bool = True
    oidc: OidcSettings | None = None

    @property
    def secure_cookies(self) -> bool:
        """Cookies are marked Secure whenever the console is reached over TLS (directly or behind a proxy)."""
        return self.public_url.startswith("https://")


def console_database_url(env: Mapping[str, str] | None = None, var_dir: Path | None = None) -> str:
    """Where the console keeps its accounts, feed tokens and audit: also what `cerdas migrate` needs."""
    env = os.environ if env is None else env
    var_dir = var_dir or Path(get_value(env, "CERDAS_VAR_DIR", "var")).resolve()
    return url_value(
        env,
        "CERDAS_CONSOLE_DATABASE_URL",
        f"sqlite:///{var_dir / 'console.db'}",
        ("sqlite", "postgresql", "postgresql+psycopg"),
    )


def _oidc(env: Mapping[str, str]) -> OidcSettings | None:
    if not (env.get("CERDAS_CONSOLE_OIDC_ISSUER", "").strip() or env.get("CERDAS_CONSOLE_OIDC_ISSUER_FILE")):
        return None
    return OidcSettings(
        issuer=url_value(env, "CERDAS_CONSOLE_OIDC_ISSUER", "", ("http", "https")),
        client_id=get_value(env, "CERDAS_CONSOLE_OIDC_CLIENT_ID"),
        client_secret=get_value(env, "CERDAS_CONSOLE_OIDC_CLIENT_SECRET"),
        scopes=get_value(env, "CERDAS_CONSOLE_OIDC_SCOPES", "openid profile email"),
        roles_claim=get_value(env, "CERDAS_CONSOLE_OIDC_ROLES_CLAIM", "roles"),
        region_claim=get_value(env, "CERDAS_CONSOLE_OIDC_REGION_CLAIM", "region"),
        username_claim=get_value(env, "CERDAS_CONSOLE_OIDC_USERNAME_CLAIM", "preferred_username"),
    )


def load_console_settings(env: Mapping[str, str] | None = None) -> ConsoleSettings:
    """Parse CERDAS_CONSOLE_* once; raise SettingsError naming the first bad variable."""
    env = os.environ if env is None else env
    production = get_value(env, "CERDAS_ENV", "development") == "production"
    name = "CERDAS_CONSOLE_SECRET_KEY"
    if production and not (env.get(name) or env.get(f"{name}_FILE")):
        raise SettingsError(f"{name} is required in production (or set {name}_FILE to a file holding it)")
    secret_key = jwt_secret_value(env, name, production, DEV_SECRET_KEY)
    assert secret_key is not None
    if production and secret_key == DEV_SECRET_KEY:
        raise SettingsError(f"{name} is the published development key; generate one with `openssl rand -hex 32`")
    public_url = url_value(env, "CERDAS_CONSOLE_URL", f"http://127.0.0.1:{CONSOLE_PORT}", ("http", "https"))
    settings = ConsoleSettings(
        secret_key=secret_key,
        database_url=console_database_url(env),
        public_url=public_url.rstrip("/"),
        token_minutes=int_value(env, "CERDAS_CONSOLE_TOKEN_MINUTES", 5, minimum=1, maximum=60),
        session_hours=int_value(env, "CERDAS_CONSOLE_SESSION_HOURS", 8, minimum=1, maximum=24),
        local_accounts=bool_value(env, "CERDAS_CONSOLE_LOCAL_ACCOUNTS", True),
        oidc=_oidc(env),
    )
    if not settings.local_accounts and settings.oidc is None:
        raise SettingsError(
            "CERDAS_CONSOLE_LOCAL_ACCOUNTS=false needs CERDAS_CONSOLE_OIDC_ISSUER: nobody could sign in"
        )
    return settings
