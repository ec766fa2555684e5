"""Request and response models for programmes, their mentors and their progress."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from services.mentoring.schemas.base import Clean, Strict
from services.mentoring.schemas.sessions import SessionOut
from shared.validation import ProgrammeDate


class ProgrammeQuery(Clean):
    region: str | None = Field(default=None, pattern=r"^\d{2}(\.\d{2})?$")
    cohort: int | None = Field(default=None, ge=2017, le=2100)


class ProgrammePath(Clean):
    programme_id: str = Field(min_length=1, max_length=36)


class MilestonePath(Clean):
    milestone_id: str = Field(min_length=1, max_length=36)


class MilestoneOut(BaseModel):
    id: str
    key: str
    title: str
    kind: str
    due_date: date
    due_at: str
    audience: list[str]
    status: str
    overdue: bool


class StageOut(BaseModel):
    id: str
    key: str
    title: str
    position: int
    status: str
    session_start: date | None
    session_end: date | None
    session: SessionOut | None
    milestones: list[MilestoneOut]


class MentorRef(BaseModel):
    mentor: str
    name: str | None


class EvaluationSummary(BaseModel):
    year: int
    status: str
    achievement_index: float | None


class ProgrammeOut(BaseModel):
    id: str
    agreement_id: str
    cohort_year: int
    region_code: str
    region_name: str
    timezone: str
    signed_on: date
    template: str
    status: str
    current_stage: str | None = Field(description="the stage of the earliest-due milestone not yet accepted")
    next_deadline: str | None
    completed_at: str | None
    achievement_index: float | None = Field(description="the latest confirmed year's index")
    evaluations: list[EvaluationSummary]
    mentors: list[MentorRef]
    stages: list[StageOut]


class ProgrammeList(BaseModel):
    items: list[ProgrammeOut]
    total: int


class RescheduleIn(Strict):
    due_date: ProgrammeDate = Field(description="the new local due date; the deadline ends at midnight in the region")
    reason: str | None = Field(default=None, max_length=500)


# --- mentors ------------------------------------------------------------------------------


class MentorPath(Clean):
    programme_id: str = Field(min_length=1, max_length=36)
    mentor: str = Field(min_length=1, max_length=120)


class MentorIn(Strict):
    mentor: str = Field(min_length=1, max_length=120, description="the mentor's identity: the `sub` of their token")
    name: str | None = Field(default=None, max_length=120)


class MentorList(BaseModel):
    items: list[MentorRef]


# --- progress -------------------------------------------------------------------------------------


class ProgressItem(BaseModel):
    milestone_id: str
    key: str
    title: str
    status: str
    due_date: date
    due_at: str
    days_overdue: int | None = None


class StageRef(BaseModel):
    key: str
    title: str


class ProgrammeProgressOut(BaseModel):
    programme_id: str
    region_code: str
    region_name: str
    cohort_year: int
    status: str
    stage: StageRef | None
    stages_completed: int
    stages_total: int
    milestones_accepted: int
    milestones_total: int
    next_deadline: ProgressItem | None
    overdue: list[ProgressItem]


class LateItem(BaseModel):
    key: str
    due_date: date
    days_overdue: int


class LateRegion(BaseModel):
    programme_id: str
    region_code: str
    region_name: str
    stage: str | None
    overdue: list[LateItem]


class CohortProgressOut(BaseModel):
    cohort_year: int
    programmes: int
    by_stage: dict[str, int]
    late: list[LateRegion]
