"""Request and response models of the mentoring API; the OpenAPI document is generated from them."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from flask_openapi3 import FileStorage
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator


def _refuse_nul(value: Any) -> Any:
    """PostgreSQL cannot store a NUL character in text or JSONB; refuse it here rather than fail there."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key)
            _refuse_nul(item)
    if isinstance(value, list):
        for item in value:
            _refuse_nul(item)
    return value


class Clean(BaseModel):
    """Every request model: text that the database can store."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return _refuse_nul(value)


class Strict(Clean):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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
    milestones: list[MilestoneOut]


class MentorRef(BaseModel):
    mentor: str
    name: str | None


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
    current_stage: str | None
    next_deadline: str | None
    completed_at: str | None
    achievement_index: float | None
    mentors: list[MentorRef]
    stages: list[StageOut]


class ProgrammeList(BaseModel):
    items: list[ProgrammeOut]
    total: int


class RescheduleIn(Strict):
    due_date: date = Field(description="the new local due date; the deadline ends at midnight in the region")
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


# --- deliverables -------------------------------------------------------------------------


class SubmissionPath(Clean):
    submission_id: str = Field(min_length=1, max_length=36)


class SubmissionForm(Clean):
    """multipart/form-data with either ``file`` or ``link``; a link may also come as a JSON body."""

    file: FileStorage | None = None
    link: HttpUrl | None = Field(default=None, max_length=2000)
    note: str | None = Field(default=None, max_length=2000)


class LinkSubmissionIn(Strict):
    link: HttpUrl = Field(max_length=2000, description="where the document can be read, e.g. a shared drive")
    note: str | None = Field(default=None, max_length=2000)


class SubmittedFile(BaseModel):
    filename: str | None
    content_type: str | None
    size_bytes: int | None
    sha256: str | None
    download: str


class ReviewOut(BaseModel):
    decision: Literal["accepted", "revision_requested"]
    reviewed_at: str
    reviewed_by: str | None
    comments: str | None
    new_due_date: date | None


class SubmissionOut(BaseModel):
    id: str
    milestone_id: str
    programme_id: str
    attempt: int
    link: str | None
    file: SubmittedFile | None
    note: str | None
    submitted_at: str
    submitted_by: str
    status: Literal["submitted", "accepted", "revision_requested"]
    review: ReviewOut | None


class ReviewIn(Strict):
    decision: Literal["accept", "request_revision"]
    comments: str | None = Field(default=None, max_length=5000, description="required when asking for a revision")
    due_date: date | None = Field(default=None, description="the new local due date of a revision; required for one")


class DueDateChange(BaseModel):
    at: str
    actor: str
    old_due_date: date
    new_due_date: date
    reason: str | None
    cause: str


class MilestoneHistory(BaseModel):
    milestone_id: str
    key: str
    status: str
    due_date: date
    due_at: str
    submissions: list[SubmissionOut]
    due_date_changes: list[DueDateChange]


# --- cohort data: plan template and monev weights --------------------------------------------


class CohortPath(Clean):
    year: int = Field(ge=2017, le=2100)


class MilestoneTemplateIn(Strict):
    key: str = Field(pattern=r"^[a-z0-9_]{1,60}$")
    title: str = Field(min_length=1, max_length=200)
    kind: str = Field(default="milestone", pattern=r"^[a-z_]{1,30}$")
    offset_days: int = Field(ge=0, le=3650, description="days after the signing date, in the region's time zone")
    audience: list[Literal["head_of_region", "regional_secretary", "kominfo_head", "bappeda_head", "bpkpad_head"]] = (
        Field(min_length=1)
    )


class SessionIn(Strict):
    offset_days: int = Field(ge=0, le=3650)
    days: int = Field(default=1, ge=1, le=30)


class StageTemplateIn(Strict):
    key: str = Field(pattern=r"^[a-z0-9_]{1,60}$")
    title: str = Field(min_length=1, max_length=200)
    session: SessionIn | None = None
    milestones: list[MilestoneTemplateIn] = Field(min_length=1)


class PlanTemplateIn(Strict):
    name: str = Field(min_length=1, max_length=60)
    description: str | None = Field(default=None, max_length=2000)
    stages: list[StageTemplateIn] = Field(min_length=1)


class PlanTemplateOut(BaseModel):
    cohort_year: int
    source: Literal["default", "cohort"]
    name: str
    version: int
    description: str | None = None
    stages: list[dict[str, Any]]
    set_at: str | None
    set_by: str | None


class WeightsIn(Strict):
    weights: dict[str, float] = Field(
        min_length=1, description="weight per monev dimension, e.g. baseline 10, output 20, outcome 30, ..."
    )


class WeightsOut(BaseModel):
    cohort_year: int
    source: Literal["default", "cohort"]
    weights: dict[str, float]
    set_at: str | None = None
    set_by: str | None = None


# --- evaluation (monev) -------------------------------------------------------------------------


class DimensionIn(Strict):
    score: float = Field(ge=0, le=100)
    evidence: list[str] = Field(min_length=1, description="links to or descriptions of the supporting evidence")
    note: str | None = Field(default=None, max_length=2000)


class SelfAssessmentIn(Strict):
    dimensions: dict[str, DimensionIn] = Field(min_length=1)


class ConfirmIn(Strict):
    scores: dict[str, float] | None = Field(default=None, description="the assessor's corrected scores, if any")
    comments: str | None = Field(default=None, max_length=5000)


class EvaluationOut(BaseModel):
    programme_id: str
    status: Literal["self_assessed", "confirmed"]
    dimensions: dict[str, Any]
    submitted_at: str
    submitted_by: str
    weights: dict[str, float]
    confirmed_scores: dict[str, float] | None
    achievement_index: float | None
    assessor_comments: str | None
    confirmed_at: str | None
    confirmed_by: str | None


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
