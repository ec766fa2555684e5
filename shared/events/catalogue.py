"""The versioned catalogue of every event, and building and checking envelopes against it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from shared.events.deadlines import (
    DeadlineClearedV1,
    DeadlineSetV1,
    NotificationFailedV1,
    NotificationSentV1,
)
from shared.events.envelope import Envelope, EventData, EventError
from shared.events.programme import (
    ApplicationSubmittedV1,
    ApplicationWithdrawnV1,
    CohortFinalizedV1,
    DeliverableReviewedV1,
    DeliverableSubmittedV1,
    MouDraftedV1,
    MouExpiredV1,
    MouScheduledV1,
    MouSignedV1,
    MouTerminatedV1,
    OfficialsChangedV1,
    ProgrammeCompletedV1,
    ProgrammeStartedV1,
    RegionNotSelectedV1,
    RegionScoredV1,
    RegionSelectedV1,
    SessionScheduledV1,
    StageChangedV1,
)
from shared.registry import PUBLISHERS

CATALOGUE: dict[tuple[str, int], type[EventData]] = {
    ("assessment.application_submitted", 1): ApplicationSubmittedV1,
    ("assessment.region_scored", 1): RegionScoredV1,
    ("assessment.region_selected", 1): RegionSelectedV1,
    ("assessment.region_not_selected", 1): RegionNotSelectedV1,
    ("assessment.cohort_finalized", 1): CohortFinalizedV1,
    ("assessment.officials_changed", 1): OfficialsChangedV1,
    ("assessment.application_withdrawn", 1): ApplicationWithdrawnV1,
    ("mou.drafted", 1): MouDraftedV1,
    ("mou.scheduled", 1): MouScheduledV1,
    ("mou.signed", 1): MouSignedV1,
    ("mou.expired", 1): MouExpiredV1,
    ("mou.terminated", 1): MouTerminatedV1,
    ("mentoring.programme_started", 1): ProgrammeStartedV1,
    ("mentoring.stage_started", 1): StageChangedV1,
    ("mentoring.deliverable_submitted", 1): DeliverableSubmittedV1,
    ("mentoring.deliverable_reviewed", 1): DeliverableReviewedV1,
    ("mentoring.stage_completed", 1): StageChangedV1,
    ("mentoring.programme_completed", 1): ProgrammeCompletedV1,
    ("mentoring.session_scheduled", 1): SessionScheduledV1,
    ("deadline.set", 1): DeadlineSetV1,
    ("deadline.cleared", 1): DeadlineClearedV1,
    ("notification.sent", 1): NotificationSentV1,
    ("notification.failed", 1): NotificationFailedV1,
}

EVENT_TYPES = tuple(sorted({event_type for event_type, _ in CATALOGUE}))


def latest_version(event_type: str) -> int:
    versions = [v for t, v in CATALOGUE if t == event_type]
    if not versions:
        raise EventError(f"unknown event type {event_type!r}")
    return max(versions)


def new_event(
    event_type: str,
    *,
    source: str,
    subject: str,
    data: EventData,
    occurred_at: datetime,
    correlation_id: str,
    version: int | None = None,
) -> Envelope:
    """Build an envelope, checking that ``data`` is the catalogue's model for this type and version."""
    version = version or latest_version(event_type)
    model = CATALOGUE.get((event_type, version))
    if model is None:
        raise EventError(f"unknown event type {event_type!r} version {version}")
    if not isinstance(data, model):
        raise EventError(f"{event_type} v{version} carries {model.__name__}, not {type(data).__name__}")
    if event_type.split(".")[0] not in PUBLISHERS.get(source, ()):
        raise EventError(f"{source} may not publish {event_type}")
    return Envelope(
        id=uuid.uuid4(),
        type=event_type,
        version=version,
        occurred_at=occurred_at,
        source=source,
        subject=subject,
        correlation_id=correlation_id,
        data=data.model_dump(mode="json"),
    )


def parse_envelope(raw: Any) -> tuple[Envelope, EventData]:
    """Validate an incoming message: the envelope, then its data against the catalogue."""
    try:
        envelope = Envelope.model_validate(raw)
    except ValidationError as exc:
        raise EventError(f"malformed envelope: {exc.errors(include_url=False)}") from exc
    model = CATALOGUE.get((envelope.type, envelope.version))
    if model is None:
        raise EventError(f"unknown event type {envelope.type!r} version {envelope.version}")
    try:
        data = model.model_validate(envelope.data)
    except ValidationError as exc:
        raise EventError(f"{envelope.type} v{envelope.version} data invalid: {exc.errors(include_url=False)}") from exc
    return envelope, data


def catalogue_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schema of every (type, version), keyed 'type@vN'; the contract tests pin these."""
    return {f"{t}@v{v}": model.model_json_schema() for (t, v), model in sorted(CATALOGUE.items())}
