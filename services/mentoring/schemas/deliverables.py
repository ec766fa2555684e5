"""Request and response models for deliverables and their review."""

from __future__ import annotations

from datetime import date
from typing import Literal

from flask_openapi3 import FileStorage
from pydantic import BaseModel, Field, HttpUrl

from services.mentoring.schemas.base import Clean, Strict
from shared.validation import ProgrammeDate


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
    due_date: ProgrammeDate | None = Field(
        default=None, description="the new local due date of a revision; required for one"
    )


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
