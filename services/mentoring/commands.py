"""What the mentoring service is asked to do: one command per state-changing use case.

Routes and the ``mou.signed`` consumer build them from plain values; handlers apply them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shared.auth import Principal


@dataclass(frozen=True)
class StartProgramme:
    """Open the programme of a freshly signed MoU, planned from its cohort's template."""

    agreement_id: str
    cohort_year: int
    region_code: str
    region_name: str
    timezone: str
    signed_at: datetime


@dataclass(frozen=True)
class AssignMentor:
    programme_id: str
    mentor: str
    name: str | None
    principal: Principal


@dataclass(frozen=True)
class UnassignMentor:
    programme_id: str
    mentor: str


@dataclass(frozen=True)
class RescheduleMilestone:
    milestone_id: str
    due_date: date
    reason: str | None
    principal: Principal


@dataclass(frozen=True)
class DeliverableFile:
    """An upload already in the submissions store, known by its SHA-256."""

    filename: str
    content_type: str | None
    size_bytes: int
    sha256: str


@dataclass(frozen=True)
class SubmitDeliverable:
    """Hand in either a stored file or a link for a milestone."""

    milestone_id: str
    principal: Principal
    link: str | None = None
    file: DeliverableFile | None = None
    note: str | None = None


@dataclass(frozen=True)
class ReviewSubmission:
    submission_id: str
    principal: Principal
    decision: str
    comments: str | None = None
    due_date: date | None = None


@dataclass(frozen=True)
class RescheduleSession:
    """Move a Bimtek session to other local days (the length stays unless ``ends_on`` is given), or set
    where it is held."""

    session_id: str
    principal: Principal
    starts_on: date | None = None
    ends_on: date | None = None
    venue: str | None = None


@dataclass(frozen=True)
class SelfAssess:
    """The region's score and evidence per weighted dimension ({dimension: {score, evidence, note}}) for
    one year; no year means the programme's first."""

    programme_id: str
    principal: Principal
    dimensions: Mapping[str, Mapping[str, Any]]
    year: int | None = None


@dataclass(frozen=True)
class ConfirmEvaluation:
    """An assessor's confirmation of one year; ``scores`` corrects the self-assessed ones it names."""

    programme_id: str
    principal: Principal
    scores: Mapping[str, float] | None = None
    comments: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class AddQuickWin:
    programme_id: str
    principal: Principal
    dimension: str
    what: str
    owner: str
    due_date: date | None = None
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class UpdateQuickWin:
    """Change what is given; ``evidence`` replaces the list, ``status`` moves along the lifecycle."""

    quick_win_id: str
    principal: Principal
    what: str | None = None
    owner: str | None = None
    due_date: date | None = None
    evidence: tuple[str, ...] | None = None
    status: str | None = None


@dataclass(frozen=True)
class SetPlanTemplate:
    """A new version of a cohort's plan: its name, optional description and stages, as JSON values."""

    cohort_year: int
    plan: Mapping[str, Any]
    principal: Principal


@dataclass(frozen=True)
class SetEvaluationWeights:
    cohort_year: int
    weights: Mapping[str, float]
    principal: Principal
