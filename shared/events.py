"""The event envelope and the versioned catalogue of every event Cerdas services exchange."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

from shared.registry import PUBLISHERS, SERVICE_NAMES

REGION_CODE_PATTERN = r"^\d{2}(\.\d{2})?$"
# Which event families each service may publish (its own, and generic deadlines) is in the registry.
ServiceName = Literal[SERVICE_NAMES]  # type: ignore[valid-type]


class EventError(ValueError):
    """An envelope or its data does not match the catalogue."""


class Envelope(BaseModel):
    """What travels on the wire; ``data`` is checked against the catalogue entry for (type, version)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: uuid.UUID
    type: str = Field(pattern=r"^[a-z]+\.[a-z_]+$")
    version: int = Field(ge=1)
    occurred_at: AwareDatetime
    source: ServiceName
    subject: str = Field(min_length=1, max_length=64)
    correlation_id: str = Field(min_length=1, max_length=64)
    data: dict[str, Any]

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class EventData(BaseModel):
    # Consumers ignore fields they do not know, so producers may add optional fields
    # without a new version; removing or retyping a field needs a new version.
    model_config = ConfigDict(extra="ignore", frozen=True)


class Signatory(BaseModel):
    party: Literal["region", "ministry"]
    name: str
    position: str
    acting: Literal["Pj", "Plh", "Plt"] | None = None
    on_behalf_of: str | None = None


# --- assessment -------------------------------------------------------------------------


class ApplicationSubmittedV1(EventData):
    cohort_year: int
    region_code: str
    application_id: str


class RegionScoredV1(EventData):
    cohort_year: int
    region_code: str
    application_id: str
    total: float


class RegionSelectedV1(EventData):
    cohort_year: int
    region_code: str
    region_name: str
    region_kind: str
    timezone: str
    rank: int
    total: float


class RegionNotSelectedV1(EventData):
    cohort_year: int
    region_code: str
    region_name: str
    region_kind: str
    rank: int
    total: float
    timezone: str | None = Field(default=None, description="The region's zone, for the notice's local dates")


class CohortFinalizedV1(EventData):
    cohort_year: int
    selected: list[str]
    not_selected: list[str]


class OfficialsChangedV1(EventData):
    region_code: str
    roles: list[str]


class ApplicationWithdrawnV1(EventData):
    cohort_year: int
    region_code: str
    application_id: str
    reason: str


# --- mou --------------------------------------------------------------------------------


class MouDraftedV1(EventData):
    agreement_id: str
    number: str
    cohort_year: int
    region_code: str
    region_name: str
    timezone: str
    sign_by: date


class MouScheduledV1(EventData):
    agreement_id: str
    region_code: str
    timezone: str
    scheduled_at: datetime
    mode: Literal["online", "offline"]
    venue: str | None = None
    deadline_id: str | None = Field(default=None, description="the signing deadline this appointment serves")


class MouSignedV1(EventData):
    agreement_id: str
    number: str
    cohort_year: int
    region_code: str
    region_name: str
    timezone: str
    signed_at: datetime
    signatories: list[Signatory]


class MouExpiredV1(EventData):
    agreement_id: str
    region_code: str
    expired_on: date


class MouTerminatedV1(EventData):
    agreement_id: str
    region_code: str
    reason: str


# --- mentoring --------------------------------------------------------------------------


class MilestoneRef(BaseModel):
    milestone_id: str
    key: str
    title: str
    due_at: datetime


class ProgrammeStartedV1(EventData):
    programme_id: str
    agreement_id: str
    cohort_year: int
    region_code: str
    timezone: str
    milestones: list[MilestoneRef]


class StageChangedV1(EventData):
    programme_id: str
    region_code: str
    stage_key: str
    stage_title: str


class DeliverableSubmittedV1(EventData):
    programme_id: str
    region_code: str
    milestone_id: str
    submission_id: str


class DeliverableReviewedV1(EventData):
    programme_id: str
    region_code: str
    milestone_id: str
    submission_id: str
    decision: Literal["accepted", "revision_requested"]
    comments: str | None = None


class ProgrammeCompletedV1(EventData):
    programme_id: str
    region_code: str
    achievement_index: float | None = None


# --- deadlines and notifications ---------------------------------------------------------

# Deadline ids are chosen by their publisher and read by others (notifications reuses a milestone's
# deadline id as the calendar entry's UID): their formats are part of the contract, so they live here.


def milestone_deadline_id(milestone_id: str) -> str:
    return f"mentoring:milestone:{milestone_id}"


def signing_deadline_id(agreement_id: str) -> str:
    return f"mou:signing:{agreement_id}"


def self_assessment_deadline_id(cohort_year: int, region_code: str) -> str:
    return f"assessment:{cohort_year}:self_assessment:{region_code}"


def assessment_deadline_id(cohort_year: int, region_code: str) -> str:
    return f"assessment:{cohort_year}:assessment:{region_code}"



AudienceRole = Literal["head_of_region", "regional_secretary", "kominfo_head", "bappeda_head", "bpkpad_head"]


class DeadlineSetV1(EventData):
    deadline_id: str = Field(description="Stable key chosen by the producer, e.g. 'mentoring:milestone:<id>'")
    region_code: str
    region_name: str | None = None
    timezone: str
    kind: str
    title: str
    due_at: AwareDatetime
    audience: list[str] = Field(min_length=1)
    link: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        # Reminders are sent at a local hour; a zone nobody knows would fail every retry downstream.
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone, e.g. Asia/Jakarta") from None
        return value


class DeadlineClearedV1(EventData):
    deadline_id: str
    region_code: str
    reason: Literal["met", "cancelled"]


class NotificationSentV1(EventData):
    delivery_id: str
    region_code: str
    recipient: str
    kind: str
    deadline_id: str | None = None


class NotificationFailedV1(NotificationSentV1):
    reason: str


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
