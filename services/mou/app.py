"""Wiring of the MoU service: its runtime, its Flask app and its Celery consumer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_openapi3 import OpenAPI

from services.mou.orm import metadata
from services.mou.tasks import register_tasks, subscriptions
from shared.clock import Clock
from shared.config import Settings
from shared.runtime import ServiceRuntime, bootstrap_service
from shared.storage import DocumentStore
from shared.web import create_service_app

NAME = "mou"


@dataclass
class MouRuntime(ServiceRuntime):
    documents: DocumentStore


def _dependencies(settings: Settings, _clock: Clock) -> dict[str, Any]:
    return {"documents": DocumentStore(settings.var_dir / "mou" / "documents")}


def bootstrap(settings: Settings | None = None, **overrides: Any) -> MouRuntime:
    runtime: MouRuntime = bootstrap_service(
        NAME, metadata, settings, subscriptions, runtime_class=MouRuntime, dependencies=_dependencies, **overrides
    )
    register_tasks(runtime)
    return runtime


def create_app(runtime: MouRuntime | None = None) -> OpenAPI:
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
