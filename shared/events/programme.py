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
