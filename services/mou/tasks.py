"""Events the MoU service consumes, mapped to its use cases."""

from __future__ import annotations

from shared.celery_app import EXPIRE_AGREEMENTS_TASK
from shared.events import Envelope, EventData, RegionSelectedV1
from shared.messaging.inbox import Handler
from shared.runtime import ServiceRuntime
from shared.uow import UnitOfWork


def event_handlers(runtime: ServiceRuntime) -> dict[str, Handler]:
    from services.mou import handlers

    def on_region_selected(uow: UnitOfWork, envelope: Envelope, data: EventData) -> None:
        assert isinstance(data, RegionSelectedV1)
        handlers.draft_for_selected_region(uow, envelope, data, runtime.settings.mou_signing_days)

    return {"assessment.region_selected": on_region_selected}


def register_tasks(runtime: ServiceRuntime) -> None:
    from services.mou import handlers

    @runtime.celery.task(name=EXPIRE_AGREEMENTS_TASK, ignore_result=True, shared=False)
    def expire_agreements() -> dict[str, int]:
        with runtime.uow() as uow:
            expired = handlers.expire_lapsed(uow)
            uow.commit()
        return {"expired": len(expired)}
