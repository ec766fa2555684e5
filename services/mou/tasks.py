"""Events the MoU service consumes, and its periodic task, mapped to its use cases."""

from __future__ import annotations

from typing import Any

from shared.celery_app import EXPIRE_AGREEMENTS_TASK
from shared.events import Envelope, EventData, RegionSelectedV1
from shared.messaging.inbox import Subscription
from shared.runtime import ServiceRuntime
from shared.uow import UnitOfWork


def subscriptions(runtime: ServiceRuntime) -> dict[str, Subscription]:
    from services.mou import handlers

    def on_region_selected(uow: UnitOfWork, command: tuple[Envelope, EventData]) -> None:
        envelope, data = command
        assert isinstance(data, RegionSelectedV1)
        handlers.draft_for_selected_region(uow, envelope, data, runtime.settings.mou.signing_days)

    return {"assessment.region_selected": Subscription(lambda envelope, data: (envelope, data), on_region_selected)}


def register_tasks(runtime: ServiceRuntime) -> None:
    from services.mou import handlers

    @runtime.celery.task(name=EXPIRE_AGREEMENTS_TASK, ignore_result=True, shared=False)
    def expire_agreements() -> dict[str, Any]:
        with runtime.uow() as uow:
            expired = handlers.expire_lapsed(uow)
            uow.commit()
        return {"expired": len(expired)}
