"""Settings for every Cerdas process, read once from ``CERDAS_*`` environment variables."""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from shared.registry import DEFAULT_PORTS, SERVICE_NAMES

SERVICES = SERVICE_NAMES
__all__ = ["DEFAULT_PORTS", "SERVICES"]
# The embedded run (`make run`) starts its own Redis and SMTP sink on these ports so it
# never collides with servers already listening on the standard ones.
EMBEDDED_REDIS_PORT = 6390
EMBEDDED_SMTP_PORT = 8025
DEV_JWT_SECRET = "cerdas-development-secret-not-for-production-use"  # noqa: S105 (refused when CERDAS_ENV=production)
# Secrets that have been published (in this repository, its docs or its tests) never sign in production.
KNOWN_SECRETS = frozenset({DEV_JWT_SECRET, "test-secret-for-cerdas-which-is-long-enough", "changeme", "secret"})
# A production secret carries at least this much entropy (e.g. `openssl rand -hex 32` gives about 250 bits).
MIN_SECRET_BITS = 128


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class ReminderPolicy:
    days_before: tuple[int, ...] = (7, 3, 1)
    on_the_day: bool = True
    overdue_every_days: int = 1
    overdue_max: int = 2
    send_hour: int = 8
    escalation: tuple[str, ...] = ("kominfo_head", "regional_secretary", "head_of_region")


@dataclass(frozen=True)
class AssessmentSettings:
    extra_official_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class MouSettings:
    signing_days: int = 30
    term_days: int = 1825
    document_max_bytes: int = 10 * 1024 * 1024


@dataclass(frozen=True)
class MentoringSettings:
    upload_max_mb: int = 25


@dataclass(frozen=True)
class NotificationSettings:
    smtp_url: str = f"smtp://127.0.0.1:{EMBEDDED_SMTP_PORT}"
    mail_from: str = "Cerdas <noreply@cerdas.example>"
    reminder_policy: ReminderPolicy = field(default_factory=ReminderPolicy)
    reminder_scan_seconds: float = 60.0
    officials_cache_seconds: float = 300.0
    smtp_timeout_seconds: float = 20.0
    smtp_retry_seconds: float = 60.0
    smtp_max_attempts: int = 8


@dataclass(frozen=True)
class Settings:
    """Platform settings every process reads, and one group per service for what only it reads."""

    env: str
    var_dir: Path
    database_urls: Mapping[str, str]
    broker_url: str
    jwt_secret: str
    service_urls: Mapping[str, str]
    # Rotation: tokens signed with the previous secret are still accepted until it is removed.
    jwt_previous_secret: str | None = None
    log_level: str = "INFO"
    log_format: str = "json"
    outbox_sweep_seconds: float = 30.0
    outbox_grace_seconds: float = 10.0
    event_max_retries: int = 50
    broker_visibility_timeout: float = 3600.0
    http_timeout_seconds: float = 5.0
    http_retries: int = 3
    clock_start: datetime | None = None
    assessment: AssessmentSettings = field(default_factory=AssessmentSettings)
    mou: MouSettings = field(default_factory=MouSettings)
    mentoring: MentoringSettings = field(default_factory=MentoringSettings)
    notifications: NotificationSettings = field(default_factory=NotificationSettings)

    def database_url(self, service: str) -> str:
        return self.database_urls[service]

    @property
    def is_production(self) -> bool:
        return self.env == "production"


def _get(env: Mapping[str, str], name: str, default: str | None = None) -> str:
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


def _url(env: Mapping[str, str], name: str, default: str, schemes: tuple[str, ...]) -> str:
    value = _get(env, name, default)
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


def _jwt_secret(env: Mapping[str, str], name: str, production: bool, default: str | None) -> str | None:
    secret = _get(env, name, default) if default is not None or env.get(name) or env.get(f"{name}_FILE") else None
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


def _number(env: Mapping[str, str], name: str, default: float, minimum: float = 0) -> float:
    raw = _get(env, name, str(default))
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} must be a number") from None
    if value < minimum:
        raise SettingsError(f"{name}={raw!r} must be at least {minimum}")
    return value


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    raw = _get(env, name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} must be a whole number") from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise SettingsError(f"{name}={raw!r} must be {bound}")
    return value


def _days(env: Mapping[str, str], name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    raw = _get(env, name, ",".join(str(d) for d in default))
    try:
        days = tuple(sorted({int(part) for part in raw.split(",") if part.strip()}, reverse=True))
    except ValueError:
        raise SettingsError(f"{name}={raw!r} must be a comma-separated list of whole days, e.g. 7,3,1") from None
    if any(d <= 0 for d in days):
        raise SettingsError(f"{name}={raw!r} must list days greater than zero")
    return days


def _roles(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = _get(env, name, ",".join(default))
    roles = tuple(part.strip() for part in raw.split(",") if part.strip())
    if not roles or any(not part.replace("_", "").isalpha() for part in roles):
        raise SettingsError(f"{name}={raw!r} must be a comma-separated list of official roles, least senior first")
    return roles


def _extra_roles(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Official roles a region may record besides the standard five, e.g. ``inspectorate_head``."""
    raw = env.get(name, "").strip()
    roles = tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    if any(not re.fullmatch(r"[a-z][a-z_]{1,39}", role) for role in roles):
        raise SettingsError(f"{name}={raw!r} must be a comma-separated list of lower_case role names")
    return roles


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = _get(env, name, "true" if default else "false").lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name}={raw!r} must be true or false")


def _instant(env: Mapping[str, str], name: str) -> datetime | None:
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


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Parse the environment once; raise SettingsError naming the first bad variable."""
    env = os.environ if env is None else env
    mode = _get(env, "CERDAS_ENV", "development")
    if mode not in {"development", "test", "production"}:
        raise SettingsError(f"CERDAS_ENV={mode!r} must be development, test or production")
    var_dir = Path(_get(env, "CERDAS_VAR_DIR", "var")).resolve()
    database_urls = {
        name: _url(
            env,
            f"CERDAS_{name.upper()}_DATABASE_URL",
            f"sqlite:///{var_dir / (name + '.db')}",
            ("sqlite", "postgresql", "postgresql+psycopg"),
        )
        for name in SERVICES
    }
    production = mode == "production"
    if production and not (env.get("CERDAS_JWT_SECRET") or env.get("CERDAS_JWT_SECRET_FILE")):
        raise SettingsError(
            "CERDAS_JWT_SECRET is required but not set (or set CERDAS_JWT_SECRET_FILE to a file holding it)"
        )
    jwt_secret = _jwt_secret(env, "CERDAS_JWT_SECRET", production, DEV_JWT_SECRET)
    assert jwt_secret is not None
    previous_secret = _jwt_secret(env, "CERDAS_JWT_PREVIOUS_SECRET", production, None)
    service_urls = {
        name: _url(env, f"CERDAS_{name.upper()}_URL", f"http://127.0.0.1:{port}", ("http", "https"))
        for name, port in DEFAULT_PORTS.items()
    }
    log_format = _get(env, "CERDAS_LOG_FORMAT", "json")
    if log_format not in {"json", "console"}:
        raise SettingsError(f"CERDAS_LOG_FORMAT={log_format!r} must be json or console")
    policy = ReminderPolicy(
        days_before=_days(env, "CERDAS_REMINDER_DAYS_BEFORE", (7, 3, 1)),
        on_the_day=_bool(env, "CERDAS_REMINDER_ON_THE_DAY", True),
        overdue_every_days=_int(env, "CERDAS_REMINDER_OVERDUE_EVERY_DAYS", 1, minimum=1),
        overdue_max=_int(env, "CERDAS_REMINDER_OVERDUE_MAX", 2, minimum=0),
        send_hour=_int(env, "CERDAS_REMINDER_SEND_HOUR", 8, minimum=0, maximum=23),
        escalation=_roles(env, "CERDAS_REMINDER_ESCALATION", ("kominfo_head", "regional_secretary", "head_of_region")),
    )
    return Settings(
        env=mode,
        var_dir=var_dir,
        database_urls=database_urls,
        broker_url=_url(env, "CERDAS_BROKER_URL", f"redis://127.0.0.1:{EMBEDDED_REDIS_PORT}/0", ("redis", "rediss")),
        jwt_secret=jwt_secret,
        jwt_previous_secret=previous_secret,
        service_urls=service_urls,
        log_level=_get(env, "CERDAS_LOG_LEVEL", "INFO").upper(),
        log_format=log_format,
        outbox_sweep_seconds=_number(env, "CERDAS_OUTBOX_SWEEP_SECONDS", 30.0, minimum=0.1),
        outbox_grace_seconds=_number(env, "CERDAS_OUTBOX_GRACE_SECONDS", 10.0),
        event_max_retries=_int(env, "CERDAS_EVENT_MAX_RETRIES", 50, minimum=0),
        broker_visibility_timeout=_number(env, "CERDAS_BROKER_VISIBILITY_TIMEOUT", 3600.0, minimum=1.0),
        http_timeout_seconds=_number(env, "CERDAS_HTTP_TIMEOUT_SECONDS", 5.0, minimum=0.1),
        http_retries=_int(env, "CERDAS_HTTP_RETRIES", 3),
        clock_start=_instant(env, "CERDAS_CLOCK_START"),
        assessment=AssessmentSettings(extra_official_roles=_extra_roles(env, "CERDAS_EXTRA_OFFICIAL_ROLES")),
        mou=MouSettings(
            signing_days=_int(env, "CERDAS_MOU_SIGNING_DAYS", 30, minimum=1),
            term_days=_int(env, "CERDAS_MOU_TERM_DAYS", 1825, minimum=1),
            # Bounded by the web layer's own request limit (32 MiB), which would otherwise answer first.
            document_max_bytes=_int(
                env, "CERDAS_MOU_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024, maximum=32 * 1024 * 1024 - 65536
            ),
        ),
        mentoring=MentoringSettings(
            # Below the web layer's own 32 MiB request limit, so the clearer mentoring message answers first.
            upload_max_mb=_int(env, "CERDAS_MENTORING_UPLOAD_MAX_MB", 25, minimum=1, maximum=30),
        ),
        notifications=NotificationSettings(
            smtp_url=_url(
                env,
                "CERDAS_SMTP_URL",
                f"smtp://127.0.0.1:{EMBEDDED_SMTP_PORT}",
                ("smtp", "smtps", "smtp+starttls"),
            ),
            mail_from=_get(env, "CERDAS_MAIL_FROM", "Cerdas <noreply@cerdas.example>"),
            reminder_policy=policy,
            reminder_scan_seconds=_number(env, "CERDAS_REMINDER_SCAN_SECONDS", 60.0, minimum=0.1),
            officials_cache_seconds=_number(env, "CERDAS_OFFICIALS_CACHE_SECONDS", 300.0),
            smtp_timeout_seconds=_number(env, "CERDAS_SMTP_TIMEOUT_SECONDS", 20.0, minimum=0.1),
            smtp_retry_seconds=_number(env, "CERDAS_SMTP_RETRY_SECONDS", 60.0, minimum=0.0),
            smtp_max_attempts=_int(env, "CERDAS_SMTP_MAX_ATTEMPTS", 8, minimum=1),
        ),
    )
