"""Request and response models of the mentoring API; the OpenAPI document is generated from them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProgrammeQuery(BaseModel):
    region: str | None = Field(default=None, pattern=r"^\d{2}(\.\d{2})?$")
    cohort: int | None = Field(default=None, ge=2017, le=2100)


class ProgrammePath(BaseModel):
    programme_id: str = Field(min_length=1, max_length=36)


class MilestonePath(BaseModel):
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
    stages: list[StageOut]


class ProgrammeList(BaseModel):
    items: list[ProgrammeOut]
    total: int


class RescheduleIn(Strict):
    due_date: date = Field(description="the new local due date; the deadline ends at midnight in the region")
    reason: str | None = Field(default=None, max_length=500)
