"""Wiring of the mentoring service: its runtime, its Flask app and its Celery consumer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_openapi3 import OpenAPI

from services.mentoring.orm import metadata
from services.mentoring.tasks import subscriptions
from shared.clock import Clock
from shared.config import Settings
from shared.runtime import ServiceRuntime, bootstrap_service
from shared.storage import DocumentStore
from shared.web import create_service_app

NAME = "mentoring"


@dataclass
class MentoringRuntime(ServiceRuntime):
    uploads: DocumentStore


def _dependencies(settings: Settings, _clock: Clock) -> dict[str, Any]:
    # The folder uploads always had, so files handed in before the store was content-addressed
    # (kept under their submission's id) sit beside the new ones and are still found.
    return {"uploads": DocumentStore(settings.var_dir / "mentoring" / "submissions")}


def bootstrap(settings: Settings | None = None, **overrides: Any) -> MentoringRuntime:
    return bootstrap_service(
        NAME, metadata, settings, subscriptions, runtime_class=MentoringRuntime, dependencies=_dependencies, **overrides
    )


def create_app(runtime: MentoringRuntime | None = None) -> OpenAPI:
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
