"""Request and response models for cohorts, applications, scores, ranking and the Satu Data results."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from services.assessment.schemas.base import Clean, Strict
from shared.validation import ProgrammeInstant


class CriterionIn(Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,59}$")
    label: str = Field(min_length=1, max_length=160)
    group: str = Field(min_length=1, max_length=40)
    # Finite and bounded: a weighted total needs a finite sum of weights, and the rubric is stored as
    # JSON, which has no Infinity.
    weight: float = Field(gt=0, le=1_000_000, allow_inf_nan=False)
    scale_min: float = Field(default=0, allow_inf_nan=False)
    scale_max: float = Field(default=100, allow_inf_nan=False)


# The register holds 552 regions; a larger quota is a typo, and the database column is a 32-bit integer.
Quota = Annotated[int, Field(le=1000)]


class CohortIn(Strict):
    year: int = Field(ge=2017, le=2100)
    quotas: dict[Literal["provinsi", "kabkota"], Quota] = Field(description="how many of each kind are selected")
    applications_open_at: ProgrammeInstant
    applications_close_at: ProgrammeInstant
    assessment_due_at: ProgrammeInstant
    rubric: list[CriterionIn] | None = Field(default=None, description="omit for the default rubric")


class CohortChangeIn(Strict):
    """Move an open cohort's dates or quotas; omitted fields keep their value."""

    quotas: dict[Literal["provinsi", "kabkota"], Quota] | None = None
    applications_close_at: ProgrammeInstant | None = None
    assessment_due_at: ProgrammeInstant | None = None


class CohortOut(BaseModel):
    year: int
    quotas: dict[str, int]
    applications_open_at: datetime
    applications_close_at: datetime
    assessment_due_at: datetime
    rubric: list[CriterionIn]
    status: str
    finalized_at: datetime | None
    forced_reason: str | None = None
    applications: int


class YearPath(BaseModel):
    year: int = Field(ge=2017, le=2100)


class AnswerIn(Strict):
    score: float | None = Field(default=None, description="the region's own score on the criterion's scale")
    narrative: str | None = Field(default=None, max_length=4000, description="what the region has in place")
    evidence: list[str] = Field(
        default_factory=list, max_length=20, description="links to evidence (decrees, documents, dashboards)"
    )


Answers = Field(
    default_factory=dict,
    description="self-assessment by rubric criterion key; complete when every criterion has a score and evidence",
    examples=[{"struktur": {"score": 70, "narrative": "Tim TIK daerah", "evidence": ["https://x.example/sk.pdf"]}}],
)


class ApplicationIn(Strict):
    region_code: str = Field(pattern=r"^\d{2}(\.\d{2})?$", description="Kemendagri code of the applying region")
    answers: dict[str, AnswerIn] = Answers


class AnswersIn(Strict):
    answers: dict[str, AnswerIn] = Field(min_length=1, description="criteria sent replace their earlier answers")


class WithdrawalIn(Strict):
    reason: str = Field(min_length=3, max_length=500)


class ApplicationQuery(BaseModel):
    status: Literal["submitted", "under_assessment", "scored", "selected", "not_selected", "withdrawn"] | None = None
    region: str | None = Field(
        default=None, pattern=r"^\d{2}(\.\d{2})?$", description="one region's application (a region token: its own)"
    )


class ApplicationOut(BaseModel):
    id: str
    cohort_year: int
    region_code: str
    region_name: str
    kind: str
    status: str
    submitted_at: datetime
    total: float | None
    rank: int | None
    selected: bool | None
    withdrawn_at: datetime | None = None


class AnswerOut(BaseModel):
    score: float | None
    narrative: str | None
    evidence: list[str]


class ApplicationDetail(ApplicationOut):
    answers: dict[str, AnswerOut]
    unanswered: list[str] = Field(description="criteria still lacking a self-score or evidence")
    withdrawal_reason: str | None


class ApplicationList(BaseModel):
    items: list[ApplicationOut]


class ApplicationPath(Clean):
    application_id: str = Field(min_length=1, max_length=36)


class ScoresIn(Strict):
    scores: dict[str, float] = Field(min_length=1, description="criterion key -> value on its scale")


class ScoreSheet(BaseModel):
    assessor: str
    scores: dict[str, float]
    scored_at: datetime


class ScoresOut(BaseModel):
    application_id: str
    status: str
    sheets: list[ScoreSheet]
    combined: dict[str, float]
    missing: list[str]
    total: float | None


class SelectionIn(Strict):
    force: bool = False
    reason: str | None = Field(default=None, max_length=500)


class RankingEntry(BaseModel):
    rank: int
    region_code: str
    region_name: str
    kind: str
    total: float
    selected: bool
    tied_with: list[str]


class RankingOut(BaseModel):
    cohort_year: int
    status: str
    tie_break: str = Field(description="how equal totals are ordered")
    quotas: dict[str, int]
    groups: dict[str, list[RankingEntry]]
    unscored: list[str] = Field(description="applicants without a complete score (selection refuses them)")
    forced_reason: str | None = Field(description="why an operator finalised with unscored applications")


class CohortList(BaseModel):
    items: list[CohortOut]


class ResultColumn(BaseModel):
    name: str
    type: str
    description: str
    unit: str | None


class ResultPeriod(BaseModel):
    year: int
    start: datetime
    end: datetime


class ResultsMetadata(BaseModel):
    title: str
    description: str
    producer: str
    period: ResultPeriod
    update_frequency: str
    licence: str
    reference_codes: str
    language: str
    last_updated: datetime | None
    columns: list[ResultColumn]


class ResultsOut(BaseModel):
    metadata: ResultsMetadata
    data: list[dict[str, str | int | float | None]]


class AuditEntryOut(BaseModel):
    at: datetime
    actor: str
    action: str
    details: dict[str, Any]
    correlation_id: str | None


class AuditTrail(BaseModel):
    cohort_year: int
    items: list[AuditEntryOut]
