"""Events the mentoring service consumes, each turned into a command for one of its use cases."""

from __future__ import annotations

from services.mentoring.commands import StartProgramme
from shared.events import Envelope, EventData, EventError, MouSignedV1
from shared.messaging.inbox import Subscription
from shared.runtime import ServiceRuntime


def start_programme_command(envelope: Envelope, data: EventData) -> StartProgramme:
    if not isinstance(data, MouSignedV1):
        raise EventError(f"event {envelope.id} of type {envelope.type} does not carry a signed MoU")
    return StartProgramme(
        agreement_id=data.agreement_id,
        cohort_year=data.cohort_year,
        region_code=data.region_code,
        region_name=data.region_name,
        timezone=data.timezone,
        signed_at=data.signed_at,
    )


def subscriptions(runtime: ServiceRuntime) -> dict[str, Subscription]:
    from services.mentoring import handlers

    return {"mou.signed": Subscription(start_programme_command, handlers.start_programme)}
