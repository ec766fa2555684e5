"""Settings for every Cerdas process, read once from ``CERDAS_*`` environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from shared.environment import (
    KNOWN_SECRETS,
    SettingsError,
    bool_value,
    days_value,
    extra_roles_value,
    get_value,
    instant_value,
    int_value,
    jwt_secret_value,
    mask,
    number_value,
    roles_value,
    url_value,
)
from shared.registry import DEFAULT_PORTS, SERVICE_NAMES

SERVICES = SERVICE_NAMES
__all__ = ["DEFAULT_PORTS", "KNOWN_SECRETS", "SERVICES", "SettingsError", "mask"]
# The embedded run (`make run`) starts its own Redis and SMTP sink on these ports so it
# never collides with servers already listening on the standard ones.
EMBEDDED_REDIS_PORT = 6390
EMBEDDED_SMTP_PORT = 8025
DEV_JWT_SECRET = "cerdas-development-secret-not-for-production-use"  # noqa: S105 (refused when CERDAS_ENV=production)


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
    # Who signs every email and how officials reach them: the closing of a ministry letter.
    sender_unit: str = "Direktorat Jenderal Aplikasi Informatika"
    sender_name: str = "Kementerian Komunikasi dan Informatika"
    sender_unit_en: str = "Directorate General of Informatics Applications"
    sender_name_en: str = "Ministry of Communication and Informatics"
    contact_address: str = "Jalan Medan Merdeka Barat No. 9, Jakarta 10110"
    contact_phone: str = "(021) 3452841"
    reminder_policy: ReminderPolicy = field(default_factory=ReminderPolicy)
    reminder_scan_seconds: float = 60.0
    officials_cache_seconds: float = 300.0
    smtp_timeout_seconds: float = 20.0
    smtp_retry_seconds: float = 60.0
    smtp_max_attempts: int = 8
    # A claimed email not recorded within this long (its worker died mid-send) is sent again.
    delivery_lease_seconds: float = 3600.0


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
    # Simulated seconds per real second on the shared demo timeline (1: real time).
    clock_speed: float = 1.0
    assessment: AssessmentSettings = field(default_factory=AssessmentSettings)
    mou: MouSettings = field(default_factory=MouSettings)
    mentoring: MentoringSettings = field(default_factory=MentoringSettings)
    notifications: NotificationSettings = field(default_factory=NotificationSettings)

    def database_url(self, service: str) -> str:
        return self.database_urls[service]

    @property
    def is_production(self) -> bool:
        return self.env == "production"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Parse the environment once; raise SettingsError naming the first bad variable."""
    env = os.environ if env is None else env
    mode = get_value(env, "CERDAS_ENV", "development")
    if mode not in {"development", "test", "production"}:
        raise SettingsError(f"CERDAS_ENV={mode!r} must be development, test or production")
    var_dir = Path(get_value(env, "CERDAS_VAR_DIR", "var")).resolve()
    database_urls = {
        name: url_value(
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
    jwt_secret = jwt_secret_value(env, "CERDAS_JWT_SECRET", production, DEV_JWT_SECRET)
    assert jwt_secret is not None
    previous_secret = jwt_secret_value(env, "CERDAS_JWT_PREVIOUS_SECRET", production, None)
    service_urls = {
        name: url_value(env, f"CERDAS_{name.upper()}_URL", f"http://127.0.0.1:{port}", ("http", "https"))
        for name, port in DEFAULT_PORTS.items()
    }
    log_format = get_value(env, "CERDAS_LOG_FORMAT", "json")
    if log_format not in {"json", "console"}:
        raise SettingsError(f"CERDAS_LOG_FORMAT={log_format!r} must be json or console")
    policy = ReminderPolicy(
        days_before=days_value(env, "CERDAS_REMINDER_DAYS_BEFORE", (7, 3, 1)),
        on_the_day=bool_value(env, "CERDAS_REMINDER_ON_THE_DAY", True),
        overdue_every_days=int_value(env, "CERDAS_REMINDER_OVERDUE_EVERY_DAYS", 1, minimum=1),
        overdue_max=int_value(env, "CERDAS_REMINDER_OVERDUE_MAX", 2, minimum=0),
        send_hour=int_value(env, "CERDAS_REMINDER_SEND_HOUR", 8, minimum=0, maximum=23),
        escalation=roles_value(
            env, "CERDAS_REMINDER_ESCALATION", ("kominfo_head", "regional_secretary", "head_of_region")
        ),
    )
    return Settings(
        env=mode,
        var_dir=var_dir,
        database_urls=database_urls,
        broker_url=url_value(
            env, "CERDAS_BROKER_URL", f"redis://127.0.0.1:{EMBEDDED_REDIS_PORT}/0", ("redis", "rediss")
        ),
        jwt_secret=jwt_secret,
        jwt_previous_secret=previous_secret,
        service_urls=service_urls,
        log_level=get_value(env, "CERDAS_LOG_LEVEL", "INFO").upper(),
        log_format=log_format,
        outbox_sweep_seconds=number_value(env, "CERDAS_OUTBOX_SWEEP_SECONDS", 30.0, minimum=0.1),
        outbox_grace_seconds=number_value(env, "CERDAS_OUTBOX_GRACE_SECONDS", 10.0),
        event_max_retries=int_value(env, "CERDAS_EVENT_MAX_RETRIES", 50, minimum=0),
        broker_visibility_timeout=number_value(env, "CERDAS_BROKER_VISIBILITY_TIMEOUT", 3600.0, minimum=1.0),
        http_timeout_seconds=number_value(env, "CERDAS_HTTP_TIMEOUT_SECONDS", 5.0, minimum=0.1),
        http_retries=int_value(env, "CERDAS_HTTP_RETRIES", 3),
        clock_start=instant_value(env, "CERDAS_CLOCK_START"),
        clock_speed=number_value(env, "CERDAS_CLOCK_SPEED", 1.0, minimum=0.001),
        assessment=AssessmentSettings(extra_official_roles=extra_roles_value(env, "CERDAS_EXTRA_OFFICIAL_ROLES")),
        mou=MouSettings(
            signing_days=int_value(env, "CERDAS_MOU_SIGNING_DAYS", 30, minimum=1),
            term_days=int_value(env, "CERDAS_MOU_TERM_DAYS", 1825, minimum=1),
            # Bounded by the web layer's own request limit (32 MiB), which would otherwise answer first.
            document_max_bytes=int_value(
                env, "CERDAS_MOU_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024, maximum=32 * 1024 * 1024 - 65536
            ),
        ),
        mentoring=MentoringSettings(
            # Below the web layer's own 32 MiB request limit, so the clearer mentoring message answers first.
            upload_max_mb=int_value(env, "CERDAS_MENTORING_UPLOAD_MAX_MB", 25, minimum=1, maximum=30),
        ),
        notifications=NotificationSettings(
            smtp_url=url_value(
                env,
                "CERDAS_SMTP_URL",
                f"smtp://127.0.0.1:{EMBEDDED_SMTP_PORT}",
                ("smtp", "smtps", "smtp+starttls"),
            ),
            mail_from=get_value(env, "CERDAS_MAIL_FROM", "Cerdas <noreply@cerdas.example>"),
            sender_unit=get_value(env, "CERDAS_MAIL_SENDER_UNIT", NotificationSettings.sender_unit),
            sender_name=get_value(env, "CERDAS_MAIL_SENDER_NAME", NotificationSettings.sender_name),
            sender_unit_en=get_value(env, "CERDAS_MAIL_SENDER_UNIT_EN", NotificationSettings.sender_unit_en),
            sender_name_en=get_value(env, "CERDAS_MAIL_SENDER_NAME_EN", NotificationSettings.sender_name_en),
            contact_address=get_value(env, "CERDAS_MAIL_CONTACT_ADDRESS", NotificationSettings.contact_address),
            contact_phone=get_value(env, "CERDAS_MAIL_CONTACT_PHONE", NotificationSettings.contact_phone),
            reminder_policy=policy,
            reminder_scan_seconds=number_value(env, "CERDAS_REMINDER_SCAN_SECONDS", 60.0, minimum=0.1),
            officials_cache_seconds=number_value(env, "CERDAS_OFFICIALS_CACHE_SECONDS", 300.0),
            smtp_timeout_seconds=number_value(env, "CERDAS_SMTP_TIMEOUT_SECONDS", 20.0, minimum=0.1),
            smtp_retry_seconds=number_value(env, "CERDAS_SMTP_RETRY_SECONDS", 60.0, minimum=0.0),
            smtp_max_attempts=int_value(env, "CERDAS_SMTP_MAX_ATTEMPTS", 8, minimum=1),
            delivery_lease_seconds=number_value(env, "CERDAS_DELIVERY_LEASE_SECONDS", 3600.0, minimum=60.0),
        ),
    )
