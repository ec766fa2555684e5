"""Request and response models for Bimtek sessions."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, model_validator

from services.mentoring.schemas.base import Clean, Strict
from shared.validation import ProgrammeDate


class SessionPath(Clean):
    session_id: str = Field(min_length=1, max_length=36)


class SessionOut(BaseModel):
    id: str
    title: str
    starts_on: date
    ends_on: date
    audience: list[str]
    venue: str | None
    sequence: int


class SessionMoveIn(Strict):
    starts_on: ProgrammeDate | None = Field(
        default=None, description="the new first local day; the session keeps its length unless ends_on is given"
    )
    ends_on: ProgrammeDate | None = Field(default=None, description="the new last local day")
    venue: str | None = Field(default=None, min_length=1, max_length=300, description="where it is held, or online")

    @model_validator(mode="after")
    def _something(self) -> SessionMoveIn:
        if self.starts_on is None and self.ends_on is None and self.venue is None:
            raise ValueError("give starts_on, ends_on or venue")
        return self
