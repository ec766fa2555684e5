"""Data of the events that carry the programme forward: assessment, MoU and mentoring."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.events.envelope import EventData


class Signatory(BaseModel):
    party: Literal["region", "ministry"]
    name: str
    position: str
    acting: Literal["Pj", "Plh", "Plt"] | None = None
    on_behalf_of: str | None = None
    title: str | None = Field(
        default=None, description="academic titles as the official writes them, e.g. 'S.H., M.Si.'"
    )


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
    region_name: str | None = None
    sequence: int | None = Field(default=None, description="counts the appointments made for this agreement")
    attendees: list[str] = Field(
        default_factory=list, description="official roles invited besides the signatories, e.g. bappeda_head"
    )


class MouSignedV1(EventData):
    agreement_id: str
    number: str
    cohort_year: int
    region_code: str
    region_name: str
    timezone: str
    signed_at: datetime
    signatories: list[Signatory]
    region_number: str | None = Field(default=None, description="the region's own number of the agreement")
    ministry_number: str | None = Field(default=None, description="the ministry's number of the agreement")
    attendees: list[str] = Field(default_factory=list, description="who attended besides the signatories")


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


class SessionScheduledV1(EventData):
    """A technical guidance round (bimtek) of a programme: who is invited, on which local days."""

    programme_id: str
    session_id: str
    region_code: str
    region_name: str | None = None
    timezone: str
    stage_key: str
    title: str
    starts_on: date
    ends_on: date
    audience: list[str] = Field(min_length=1)
    venue: str | None = None
    sequence: int = Field(default=0, description="counts changes to the session, for the calendar entry")


class ProgrammeCompletedV1(EventData):
    programme_id: str
    region_code: str
    achievement_index: float | None = None
