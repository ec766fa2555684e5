"""Wiring of the mentoring service: its runtime, its Flask app and its Celery consumer."""

from __future__ import annotations

from flask_openapi3 import OpenAPI

from services.mentoring.orm import metadata
from services.mentoring.tasks import subscriptions
from shared.config import Settings
from shared.runtime import ServiceRuntime, bootstrap_service
from shared.web import create_service_app

NAME = "mentoring"


def bootstrap(settings: Settings | None = None, **overrides: object) -> ServiceRuntime:
    return bootstrap_service(NAME, metadata, settings, subscriptions, **overrides)


def create_app(runtime: ServiceRuntime | None = None) -> OpenAPI:
    from services.mentoring.api import TAGS, api

    runtime = runtime or bootstrap()
    app = create_service_app(
        runtime,
        title="Cerdas mentoring",
        description="Mentoring programmes (pendampingan) from the signed MoU to the Smart City Masterplan.",
        tags=TAGS,
    )
    app.register_api(api)
    return app
