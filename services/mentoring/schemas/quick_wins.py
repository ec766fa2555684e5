"""Request and response models for the quick-win register."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, HttpUrl

from services.mentoring.schemas.base import Clean, Strict
from shared.validation import ProgrammeDate

Dimension = Literal["governance", "branding", "economy", "living", "society", "environment"]
QuickWinStatus = Literal["planned", "in_progress", "done", "dropped"]
Evidence = list[HttpUrl]


class QuickWinPath(Clean):
    quick_win_id: str = Field(min_length=1, max_length=36)


class QuickWinQuery(Clean):
    dimension: Dimension | None = None


class QuickWinIn(Strict):
    dimension: Dimension = Field(description="the smart city dimension it serves")
    what: str = Field(min_length=1, max_length=500, description="what the quick win delivers")
    owner: str = Field(min_length=1, max_length=200, description="who carries it out, e.g. the responsible OPD")
    due_date: ProgrammeDate | None = Field(default=None, description="local due date; reminders follow it")
    evidence: Evidence = Field(default_factory=list, max_length=50, description="links to the evidence")


class QuickWinUpdateIn(Strict):
    what: str | None = Field(default=None, min_length=1, max_length=500)
    owner: str | None = Field(default=None, min_length=1, max_length=200)
    due_date: ProgrammeDate | None = None
    evidence: Evidence | None = Field(default=None, max_length=50, description="replaces the links kept so far")
    status: QuickWinStatus | None = Field(
        default=None, description="planned -> in_progress -> done (with evidence); dropped by a mentor or operator"
    )


class QuickWinOut(BaseModel):
    id: str
    programme_id: str
    dimension: Dimension
    what: str
    owner: str
    due_date: date | None
    due_at: str | None
    evidence: list[str]
    status: QuickWinStatus
    created_at: str
    created_by: str
    updated_at: str
    updated_by: str


class DimensionCount(BaseModel):
    title: str
    planned: int
    in_progress: int
    done: int
    dropped: int


class QuickWinRegister(BaseModel):
    programme_id: str
    items: list[QuickWinOut]
    dimensions: dict[str, DimensionCount]
