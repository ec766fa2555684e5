"""Small factories for MoU tests: selected regions, drafted agreements, signatories and PDFs."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from sqlalchemy import select

from services.mou.orm import Agreement
from services.mou.tasks import subscriptions as event_handlers
from shared import events
from shared.events import new_event
from shared.messaging.inbox import consume
from shared.runtime import ServiceRuntime

TAPANULI_TENGAH = "12.01"


def region_selected(code: str = TAPANULI_TENGAH, *, cohort_year: int = 2023, timezone: str = "Asia/Jakarta", name=None):
    return events.RegionSelectedV1(
        cohort_year=cohort_year,
        region_code=code,
        region_name=name or f"Kabupaten {code}",
        region_kind="kabupaten",
        timezone=timezone,
        rank=1,
        total=80.0,
    )


def selection_event(runtime: ServiceRuntime, data: events.RegionSelectedV1, at: datetime | None = None) -> dict:
    return new_event(
        "assessment.region_selected",
        source="assessment",
        subject=data.region_code,
        data=data,
        occurred_at=at or runtime.clock.now(),
        correlation_id=f"selection-{data.region_code}",
    ).to_json_dict()


def deliver(runtime: ServiceRuntime, envelope: dict) -> str:
    """Hand one wire message to the MoU consumer, as its Celery task does."""
    return consume(runtime.uow, event_handlers(runtime), envelope)


def draft(runtime: ServiceRuntime, code: str = TAPANULI_TENGAH, **kwargs: Any) -> str:
    data = region_selected(code, **kwargs)
    deliver(runtime, selection_event(runtime, data))
    with runtime.session_factory() as session:
        return session.scalar(
            select(Agreement.id).where(Agreement.region_code == code, Agreement.cohort_year == data.cohort_year)
        )


def kabkota_codes(count: int) -> list[str]:
    """Distinct, well-formed kabupaten/kota codes (province 11 onwards), enough for a cohort of 50."""
    return [f"{11 + i // 90:02d}.{1 + i % 90:02d}" for i in range(count)]


def representative() -> dict[str, Any]:
    """The Tapanuli Tengah signing: the Pj Bupati represented by the Plh Sekda."""
    return {
        "party": "region",
        "name": "Sugiharto Hutabarat",
        "position": "Plh Sekretaris Daerah",
        "acting": "Plh",
        "on_behalf_of": "Pj Bupati Tapanuli Tengah",
    }


def dirjen() -> dict[str, Any]:
    return {"party": "ministry", "name": "Semuel Abrijani Pangerapan", "position": "Direktur Jenderal Aptika"}


def head_of_region(code: str) -> dict[str, Any]:
    return {"party": "region", "name": f"Bupati {code}", "position": "Bupati"}


def pdf_bytes(text: str = "Nota Kesepakatan", padding: int = 0) -> bytes:
    """A small but structurally complete PDF, optionally padded to a chosen size."""
    body = (
        b"%PDF-1.7\n"
        b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
        + f"% {text}\n".encode()
        + b"%"
        + b"x" * padding
        + b"\n"
    )
    trailer = b"xref\n0 4\ntrailer << /Size 4 /Root 1 0 R >>\nstartxref\n9\n%%EOF\n"
    return body + trailer


def upload(client, agreement_id: str, content: bytes, headers: dict, filename: str = "nota-kesepakatan.pdf"):
    return client.post(
        f"/agreements/{agreement_id}/documents",
        data={"file": (io.BytesIO(content), filename)},
        headers=headers,
        content_type="multipart/form-data",
    )


def outbox_events(runtime: ServiceRuntime, event_type: str | None = None) -> list[dict]:
    with runtime.session_factory() as session:
        rows = session.execute(select(runtime.outbox.c.envelope).order_by(runtime.outbox.c.created_at)).scalars()
        return [e for e in rows if event_type is None or e["type"] == event_type]
