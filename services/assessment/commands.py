"""What the assessment service can be asked to do: one frozen command per state-changing use case.

Routes, the CLI and consumers build these from their own input; handlers take them and never see
the API's request models.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.assessment.domain import Answer, OfficialRecord, RegionRecord
from shared.auth import Principal


@dataclass(frozen=True)
class ImportRegions:
    """Create or update regions by code, all or nothing."""

    regions: tuple[RegionRecord, ...]
    # Told (done, total) every hundred regions; the CLI prints it. Not part of what is asked.
    progress: Callable[[int, int], None] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ReplaceOfficials:
    """The region's whole current line-up; changed roles get a new holder, roles left out end."""

    region_code: str
    officials: tuple[OfficialRecord, ...]
    actor: Principal
    allowed_roles: tuple[str, ...]


@dataclass(frozen=True)
class OpenCohort:
    year: int
    quotas: Mapping[str, int]
    applications_open_at: datetime
    applications_close_at: datetime
    assessment_due_at: datetime
    # The criteria as stored with the cohort; None takes the rubric that ships with Cerdas.
    rubric: tuple[Mapping[str, Any], ...] | None = None
    actor: Principal | None = None


@dataclass(frozen=True)
class ChangeCohort:
    """Move an open cohort's window end, assessment deadline or quotas; None keeps the value."""

    year: int
    applications_close_at: datetime | None = None
    assessment_due_at: datetime | None = None
    quotas: Mapping[str, int] | None = None
    actor: Principal | None = None


@dataclass(frozen=True)
class SubmitApplication:
    cohort_year: int
    region_code: str
    answers: Mapping[str, Answer]
    actor: Principal


@dataclass(frozen=True)
class UpdateAnswers:
    """Answers sent replace those criteria's answers; the others stay."""

    application_id: str
    answers: Mapping[str, Answer]
    actor: Principal


@dataclass(frozen=True)
class WithdrawApplication:
    application_id: str
    reason: str
    actor: Principal


@dataclass(frozen=True)
class RecordScores:
    """One assessor's sheet, whole or partial."""

    application_id: str
    scores: Mapping[str, float]
    actor: Principal


@dataclass(frozen=True)
class RunSelection:
    """``force`` with a ``reason`` selects before the window closes or with applications unscored."""

    cohort_year: int
    force: bool = False
    reason: str | None = None
    actor: Principal | None = None
