"""Request and response models for a cohort's plan template and monev weights, and evaluations."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from services.mentoring.schemas.base import Clean, Strict

# --- cohort data: plan template and monev weights --------------------------------------------


class CohortPath(Clean):
    year: int = Field(ge=2017, le=2100)


Role = Literal["head_of_region", "regional_secretary", "kominfo_head", "bappeda_head", "bpkpad_head"]


class MilestoneTemplateIn(Strict):
    key: str = Field(pattern=r"^[a-z0-9_]{1,60}$")
    title: str = Field(
        min_length=1,
        max_length=200,
        description="{regulation} and {regulation_name} become the region's Perbup/Perwali/Pergub and its long name",
    )
    kind: str = Field(default="milestone", pattern=r"^[a-z_]{1,30}$")
    offset_days: int = Field(ge=0, le=3650, description="days after the signing date, in the region's time zone")
    audience: list[Role] = Field(min_length=1)


class SessionIn(Strict):
    offset_days: int = Field(ge=0, le=3650)
    days: int = Field(default=1, ge=1, le=30)
    audience: list[Role] | None = Field(
        default=None, min_length=1, description="who is invited; by default everyone the stage's milestones address"
    )


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


class EvaluationPath(Clean):
    programme_id: str = Field(min_length=1, max_length=36)
    year: int = Field(ge=2017, le=2100, description="the year evaluated")


class EvaluationOut(BaseModel):
    programme_id: str
    year: int
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


class EvaluationList(BaseModel):
    programme_id: str
    items: list[EvaluationOut]
