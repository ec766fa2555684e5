"""Events the mentoring service consumes, mapped to its use cases."""

from __future__ import annotations

from shared.events import Envelope, EventData, MouSignedV1
from shared.messaging.inbox import Subscription
from shared.runtime import ServiceRuntime
from shared.uow import UnitOfWork


def subscriptions(runtime: ServiceRuntime) -> dict[str, Subscription]:
    from services.mentoring import handlers

    def on_mou_signed(uow: UnitOfWork, command: tuple[Envelope, EventData]) -> None:
        _envelope, data = command
        assert isinstance(data, MouSignedV1)
        handlers.start_programme_for_signed_mou(uow, data, handlers.template_for_cohort(uow, data.cohort_year))

    return {"mou.signed": Subscription(lambda envelope, data: (envelope, data), on_mou_signed)}
