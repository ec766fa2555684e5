"""Wiring of the assessment service: its runtime, its Flask app and its Celery worker."""

from __future__ import annotations

from flask_openapi3 import OpenAPI

from services.assessment.orm import metadata
from shared.config import Settings, load_settings
from shared.logging import configure_logging
from shared.runtime import ServiceRuntime, build_runtime
from shared.web import create_service_app

NAME = "assessment"


def bootstrap(settings: Settings | None = None, **overrides: object) -> ServiceRuntime:
    settings = settings or load_settings()
    configure_logging(NAME, settings.log_level, settings.log_format)
    return build_runtime(NAME, settings, metadata, **overrides)  # type: ignore[arg-type]


def create_app(runtime: ServiceRuntime | None = None) -> OpenAPI:
    from services.assessment.api import api, cohorts_tag, regions_tag

    runtime = runtime or bootstrap()
    app = create_service_app(
        runtime,
        title="Cerdas assessment",
        description="Regions and officials, cohorts, applications, scoring, ranking and selection.",
        tags=[regions_tag, cohorts_tag],
    )
    app.register_api(api)
    return app
