"""Events the MoU service consumes, and its periodic task, mapped to its use cases."""

from __future__ import annotations

from typing import Any

from services.mou import handlers
from services.mou.commands import DraftAgreement, ExpireLapsedAgreements
from shared.celery_app import EXPIRE_AGREEMENTS_TASK
from shared.events import Envelope, EventData, RegionSelectedV1
from shared.messaging.inbox import Subscription
from shared.runtime import ServiceRuntime


def draft_agreement_command(envelope: Envelope, data: EventData, signing_days: int) -> DraftAgreement:
    """The selection in the region's own terms; its calendar day starts the signing period."""
    assert isinstance(data, RegionSelectedV1)
    return DraftAgreement(
        cohort_year=data.cohort_year,
        region_code=data.region_code,
        region_name=data.region_name,
        timezone=data.timezone,
        selected_at=envelope.occurred_at,
        signing_days=signing_days,
        event_id=str(envelope.id),
        event_type=envelope.type,
    )


def subscriptions(runtime: ServiceRuntime) -> dict[str, Subscription]:
    return {
        "assessment.region_selected": Subscription(
            lambda envelope, data: draft_agreement_command(envelope, data, runtime.settings.mou.signing_days),
            handlers.draft_agreement,
        )
    }


def register_tasks(runtime: ServiceRuntime) -> None:
    @runtime.celery.task(name=EXPIRE_AGREEMENTS_TASK, ignore_result=True, shared=False)
    def expire_agreements() -> dict[str, Any]:
        with runtime.uow() as uow:
            expired = handlers.expire_lapsed_agreements(uow, ExpireLapsedAgreements())
            uow.commit()
        return {"expired": len(expired)}
