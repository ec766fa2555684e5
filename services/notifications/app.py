"""Wiring of the notification service: its runtime, its small read API and its Celery worker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_openapi3 import OpenAPI

from services.notifications.consumers import subscriptions
from services.notifications.directory import OfficialsDirectory, OfficialsSource
from services.notifications.mail import SmtpTransport, Transport
from services.notifications.metrics import NotificationCollector
from services.notifications.notifier import Notifier
from services.notifications.orm import metadata
from services.notifications.tasks import kick_delivery, register_tasks
from shared.clock import Clock
from shared.config import Settings, load_settings
from shared.db import make_engine, make_session_factory
from shared.http_client import ServiceClient
from shared.runtime import ServiceRuntime, bootstrap_service
from shared.web import create_service_app

NAME = "notifications"
# A delivery run sends its emails over one SMTP connection, kept this long between messages.
SMTP_KEEP_ALIVE = 30.0


@dataclass
class NotificationsRuntime(ServiceRuntime):
    notifier: Notifier


def bootstrap(
    settings: Settings | None = None,
    *,
    officials_source: OfficialsSource | None = None,
    transport: Transport | None = None,
    **overrides: Any,
) -> NotificationsRuntime:
    """The runtime, its consumer and tasks; tests may pass their own officials source and mail transport."""
    settings = settings or load_settings()
    # The officials cache is kept in short transactions of its own, on the service's engine: made here
    # so the directory can be wired before the runtime exists.
    engine = overrides.pop("engine", None) or make_engine(settings.database_url(NAME))

    def dependencies(settings: Settings, clock: Clock) -> dict[str, Any]:
        mail = settings.notifications
        source = officials_source or ServiceClient(
            caller=NAME,
            base_url=settings.service_urls["assessment"],
            secret=settings.jwt_secret,
            clock=clock,
            timeout=settings.http_timeout_seconds,
            retries=settings.http_retries,
        )
        directory = OfficialsDirectory(source, make_session_factory(engine), clock, mail.officials_cache_seconds)
        notifier = Notifier(
            settings=mail,
            directory=directory,
            transport=transport or SmtpTransport(mail.smtp_url, mail.smtp_timeout_seconds, keep_alive=SMTP_KEEP_ALIVE),
        )
        return {"notifier": notifier}

    runtime: NotificationsRuntime = bootstrap_service(
        NAME,
        metadata,
        settings,
        subscriptions,
        after_processed=kick_delivery,
        runtime_class=NotificationsRuntime,
        dependencies=dependencies,
        engine=engine,
        **overrides,
    )
    register_tasks(runtime)
    return runtime


def create_app(runtime: NotificationsRuntime | None = None) -> OpenAPI:
    from services.notifications.api import api, deliveries_tag

    runtime = runtime or bootstrap()
    app = create_service_app(
        runtime,
        title="Cerdas notifications",
        description="Deadline reminders and stage notices emailed to regional officials.",
        tags=[deliveries_tag],
        collectors=[NotificationCollector(runtime)],
    )
    app.register_api(api)
    return app
