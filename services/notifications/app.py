"""Wiring of the notification service: its runtime, its small read API and its Celery worker."""

from __future__ import annotations

from flask_openapi3 import OpenAPI

from services.notifications.directory import OfficialsDirectory, OfficialsSource
from services.notifications.handlers import Notifier, Transport
from services.notifications.mailer import SmtpTransport
from services.notifications.metrics import NotificationCollector
from services.notifications.orm import metadata
from services.notifications.tasks import event_handlers, register_tasks
from shared.config import Settings
from shared.http_client import ServiceClient
from shared.runtime import ServiceRuntime, bootstrap_service
from shared.web import create_service_app

NAME = "notifications"


def bootstrap(
    settings: Settings | None = None,
    *,
    officials_source: OfficialsSource | None = None,
    transport: Transport | None = None,
    **overrides: object,
) -> ServiceRuntime:
    """The runtime, its consumer and tasks; tests may pass their own officials source and mail transport."""
    runtime = bootstrap_service(NAME, metadata, settings, event_handlers, **overrides)
    settings = runtime.settings
    client = officials_source or ServiceClient(
        caller=NAME,
        base_url=settings.service_urls["assessment"],
        secret=settings.jwt_secret,
        clock=runtime.clock,
        timeout=settings.http_timeout_seconds,
        retries=settings.http_retries,
    )
    notifier = Notifier(
        settings=settings,
        directory=OfficialsDirectory(client, runtime.clock, settings.officials_cache_seconds),
        transport=transport or SmtpTransport(settings.smtp_url, settings.smtp_timeout_seconds),
    )
    runtime.extras["notifier"] = notifier
    register_tasks(runtime, notifier)
    return runtime


def create_app(runtime: ServiceRuntime | None = None) -> OpenAPI:
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
