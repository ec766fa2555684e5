"""Events the mentoring service consumes, mapped to its use cases."""

from __future__ import annotations

from shared.events import Envelope, EventData, MouSignedV1
from shared.messaging.inbox import Handler
from shared.runtime import ServiceRuntime
from shared.uow import UnitOfWork


def event_handlers(runtime: ServiceRuntime) -> dict[str, Handler]:
    from services.mentoring import handlers

    def on_mou_signed(uow: UnitOfWork, envelope: Envelope, data: EventData) -> None:
        assert isinstance(data, MouSignedV1)
        handlers.start_programme_for_signed_mou(uow, data, handlers.template_for_cohort(uow, data.cohort_year))

    return {"mou.signed": on_mou_signed}
