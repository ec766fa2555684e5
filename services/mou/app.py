"""Wiring of the MoU service: its runtime, its Flask app and its Celery consumer."""

from __future__ import annotations

from flask_openapi3 import OpenAPI

from services.mou.orm import metadata
from services.mou.storage import DocumentStore
from services.mou.tasks import event_handlers, register_tasks
from shared.config import Settings
from shared.runtime import ServiceRuntime, bootstrap_service
from shared.web import create_service_app

NAME = "mou"


def bootstrap(settings: Settings | None = None, **overrides: object) -> ServiceRuntime:
    runtime = bootstrap_service(NAME, metadata, settings, event_handlers, **overrides)
    runtime.extras["documents"] = DocumentStore(runtime.settings.var_dir / "mou" / "documents")
    register_tasks(runtime)
    return runtime


def create_app(runtime: ServiceRuntime | None = None) -> OpenAPI:
    from services.mou.api import TAGS, api

    runtime = runtime or bootstrap()
    app = create_service_app(
        runtime,
        title="Cerdas MoU",
        description="Agreements (Nota Kesepakatan) between each selected region and the ministry.",
        tags=TAGS,
    )
    app.register_api(api)
    return app
