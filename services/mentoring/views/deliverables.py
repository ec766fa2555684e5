"""Reading deliverables: one submission, a milestone's full history, and where a stored file lies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from services.mentoring.handlers.common import get_milestone, get_programme, get_submission
from services.mentoring.orm import MilestoneChange, Submission
from shared.auth import Principal
from shared.errors import NotFound
from shared.storage import DocumentStore, key_for
from shared.uow import UnitOfWork


def submission_view(submission: Submission) -> dict[str, Any]:
    return {
        "id": submission.id,
        "milestone_id": submission.milestone_id,
        "programme_id": submission.programme_id,
        "attempt": submission.attempt,
        "link": submission.link,
        "file": (
            {
                "filename": submission.filename,
                "content_type": submission.content_type,
                "size_bytes": submission.size_bytes,
                "sha256": submission.sha256,
                "download": f"/submissions/{submission.id}/file",
            }
            if submission.sha256
            else None
        ),
        "note": submission.note,
        "submitted_at": submission.submitted_at.isoformat(),
        "submitted_by": submission.submitted_by,
        "status": submission.status,
        "review": (
            {
                "decision": "accepted" if submission.status == "accepted" else "revision_requested",
                "reviewed_at": submission.reviewed_at.isoformat(),
                "reviewed_by": submission.reviewed_by,
                "comments": submission.comments,
                "new_due_date": submission.revision_due_date.isoformat() if submission.revision_due_date else None,
            }
            if submission.reviewed_at is not None
            else None
        ),
    }


def milestone_history(uow: UnitOfWork, milestone_id: str, principal: Principal) -> dict[str, Any]:
    """Every hand-in with its review, and every move of the due date, oldest first."""
    milestone = get_milestone(uow, milestone_id)
    get_programme(uow, milestone.programme_id, principal)
    submissions = uow.session.scalars(
        select(Submission).where(Submission.milestone_id == milestone.id).order_by(Submission.attempt)
    )
    changes = uow.session.scalars(
        select(MilestoneChange).where(MilestoneChange.milestone_id == milestone.id).order_by(MilestoneChange.id)
    )
    return {
        "milestone_id": milestone.id,
        "key": milestone.key,
        "status": milestone.status,
        "due_date": milestone.due_date.isoformat(),
        "due_at": milestone.due_at.isoformat(),
        "submissions": [submission_view(s) for s in submissions],
        "due_date_changes": [
            {
                "at": c.at.isoformat(),
                "actor": c.actor,
                "old_due_date": c.old_due_date.isoformat(),
                "new_due_date": c.new_due_date.isoformat(),
                "reason": c.reason,
                "cause": c.details.get("cause", "rescheduled"),
            }
            for c in changes
        ],
    }


def submission_file(
    uow: UnitOfWork, submission_id: str, principal: Principal, uploads: DocumentStore
) -> tuple[Path, str]:
    """The stored file and the name it was handed in under. Files are kept under their SHA-256; those
    handed in before that were kept under the submission's id, and are still served from there."""
    submission = get_submission(uow, submission_id, principal)
    if submission.sha256 is None:
        raise NotFound("this submission is a link, not a stored file")
    for path in (uploads.path(key_for(submission.sha256)), uploads.path(submission.id)):
        if path.is_file():
            return path, submission.filename or submission.id
    raise NotFound("the stored file is missing from this server's submissions folder")
