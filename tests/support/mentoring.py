"""Small factories for mentoring tests: a signed MoU, its delivery, and reading what the outbox holds."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from shared import events
from shared.messaging.inbox import consume

SIGNED_AT = datetime(2023, 2, 28, 3, 0, tzinfo=UTC)  # 10:00 WIB, the 2023 signing day


def mou_signed(
    region_code: str = "12.01",
    region_name: str = "Kabupaten Tapanuli Tengah",
    timezone: str = "Asia/Jakarta",
    signed_at: datetime = SIGNED_AT,
    cohort_year: int = 2023,
    agreement_id: str | None = None,
) -> events.MouSignedV1:
    return events.MouSignedV1(
        agreement_id=agreement_id or str(uuid.uuid4()),
        number="NK-2023/001",
        cohort_year=cohort_year,
        region_code=region_code,
        region_name=region_name,
        timezone=timezone,
        signed_at=signed_at,
        signatories=[
            events.Signatory(
                party="region",
                name="Sugiharto Hutabarat",
                position="Sekretaris Daerah",
                acting="Plh",
                on_behalf_of="Pj Bupati Tapanuli Tengah",
            ),
            events.Signatory(party="ministry", name="Semuel Abrijani Pangerapan", position="Dirjen Aptika"),
        ],
    )


def wire(data: events.MouSignedV1) -> dict[str, Any]:
    return events.new_event(
        "mou.signed",
        source="mou",
        subject=data.region_code,
        data=data,
        occurred_at=data.signed_at,
        correlation_id=f"corr-{data.agreement_id}",
    ).to_json_dict()


def deliver(runtime: Any, envelope: dict[str, Any]) -> str:
    """Apply one event as the mentoring worker does: inbox check, handler and commit in one transaction."""
    from services.mentoring.tasks import subscriptions as event_handlers

    return consume(runtime.uow, event_handlers(runtime), envelope)


def start_programme(runtime: Any, **kwargs: Any) -> str:
    """A programme for a fresh signing; returns its id."""
    from services.mentoring.orm import Programme

    data = mou_signed(**kwargs)
    assert deliver(runtime, wire(data)) == "processed"
    with runtime.session_factory() as session:
        return session.scalar(select(Programme.id).where(Programme.agreement_id == data.agreement_id))


def outbox(runtime: Any, event_type: str | None = None) -> list[dict[str, Any]]:
    """Envelopes the service recorded, oldest first, optionally of one type."""
    table = runtime.outbox
    with runtime.session_factory() as session:
        rows = session.execute(select(table.c.envelope).order_by(table.c.created_at, table.c.id)).scalars().all()
    return [e for e in rows if event_type is None or e["type"] == event_type]
