"""Wiring of the assessment service: its runtime, its Flask app and its Celery worker."""

from __future__ import annotations

from flask_openapi3 import OpenAPI

from services.assessment.orm import metadata
from shared.config import Settings
from shared.runtime import ServiceRuntime, bootstrap_service
from shared.web import create_service_app

NAME = "assessment"


def bootstrap(settings: Settings | None = None, **overrides: object) -> ServiceRuntime:
    return bootstrap_service(NAME, metadata, settings, None, **overrides)


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
