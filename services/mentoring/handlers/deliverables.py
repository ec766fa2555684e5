"""Deliverables: a region hands in a document or link for a milestone, a mentor accepts it or asks for a
revision, and accepted work moves the programme through its stages."""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select

from services.mentoring import domain
from services.mentoring.handlers.programmes import (
    deadline_set,
    get_milestone,
    get_programme,
    milestone_deadline_id,
)
from services.mentoring.orm import Evaluation, Milestone, MilestoneChange, Programme, Stage, Submission
from shared import events
from shared.auth import Principal
from shared.clock import end_of_local_day, local_date
from shared.errors import Conflict, Forbidden, Invalid, NotFound, PayloadTooLarge
from shared.uow import UnitOfWork

CHUNK = 64 * 1024


@dataclass(frozen=True)
class StoredFile:
    """An upload already written to its final place under the submissions folder."""

    path: Path
    filename: str
    content_type: str | None
    size_bytes: int
    sha256: str


def submissions_dir(var_dir: Path) -> Path:
    return var_dir / "mentoring" / "submissions"


def store_upload(
    stream: IO[bytes], filename: str, content_type: str | None, var_dir: Path, max_bytes: int
) -> StoredFile:
    """Stream to a temporary file while hashing, then move it into place under a fresh name, so a
    half-written upload never looks like a stored one and a user's file name never reaches the disk."""
    folder = submissions_dir(var_dir)
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise PayloadTooLarge(f"the file is larger than {max_bytes // (1024 * 1024)} MiB")
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise Invalid("the uploaded file is empty", field="file")
        final = folder / str(uuid.uuid4())
        os.replace(temporary, final)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return StoredFile(final, filename, content_type, size, digest.hexdigest())


def submit_deliverable(
    uow: UnitOfWork,
    milestone_id: str,
    principal: Principal,
    *,
    link: str | None = None,
    store: Callable[[], StoredFile] | None = None,
    note: str | None = None,
) -> Submission:
    """``store`` writes the upload; it runs only once the hand-in is allowed, so a refused one leaves no file."""
    if (link is None) == (store is None):
        raise Invalid("send either a file or a link, not both and not neither", field="file")
    # Locked: a second hand-in sent at the same moment must see this one and wait for its review.
    milestone = get_milestone(uow, milestone_id, lock=True)
    programme = get_programme(uow, milestone.programme_id, principal)
    if programme.status != "active":
        raise Conflict(f"the programme is {programme.status}", current_state=programme.status)
    domain.check_submission(milestone.status, milestone.kind)
    attempt = (
        uow.session.scalar(select(func.max(Submission.attempt)).where(Submission.milestone_id == milestone.id)) or 0
    ) + 1
    upload = store() if store is not None else None
    try:
        submission = Submission(
            id=upload.path.name if upload is not None else str(uuid.uuid4()),
            programme_id=programme.id,
            milestone_id=milestone.id,
            attempt=attempt,
            link=link,
            filename=upload.filename if upload else None,
            content_type=upload.content_type if upload else None,
            size_bytes=upload.size_bytes if upload else None,
            sha256=upload.sha256 if upload else None,
            note=note,
            submitted_at=uow.clock.now(),
            submitted_by=principal.sub,
            status="submitted",
        )
        uow.session.add(submission)
        milestone.status = "submitted"
        uow.session.flush()
    except BaseException:
        if upload is not None:
            upload.path.unlink(missing_ok=True)
        raise
    uow.record(
        "mentoring.deliverable_submitted",
        programme.region_code,
        events.DeliverableSubmittedV1(
            programme_id=programme.id,
            region_code=programme.region_code,
            milestone_id=milestone.id,
            submission_id=submission.id,
        ),
    )
    return submission


def get_submission(uow: UnitOfWork, submission_id: str, principal: Principal) -> Submission:
    submission = uow.session.get(Submission, submission_id)
    if submission is None:
        raise NotFound(f"no submission with id {submission_id!r}")
    get_programme(uow, submission.programme_id, principal)
    return submission


def review_submission(
    uow: UnitOfWork,
    submission_id: str,
    principal: Principal,
    *,
    decision: str,
    comments: str | None,
    due_date: date | None,
) -> Submission:
    # Locked: of two reviews sent at the same moment, the second sees the first and is refused.
    submission = uow.session.get(Submission, submission_id, with_for_update=True)
    if submission is None:
        raise NotFound(f"no submission with id {submission_id!r}")
    # get_programme refuses a mentor who is not assigned to this programme.
    programme = get_programme(uow, submission.programme_id, principal)
    if principal.role != "mentor":
        raise Forbidden("only a mentor reviews deliverables")
    milestone = get_milestone(uow, submission.milestone_id)
    today = local_date(uow.clock.now(), programme.timezone)
    domain.check_review(submission.status, decision, comments, due_date, today)
    now = uow.clock.now()
    submission.reviewed_at, submission.reviewed_by, submission.comments = now, principal.sub, comments
    if decision == "accept":
        submission.status = milestone.status = "accepted"
        uow.record(
            "deadline.cleared",
            programme.region_code,
            events.DeadlineClearedV1(
                deadline_id=milestone_deadline_id(milestone.id), region_code=programme.region_code, reason="met"
            ),
        )
    else:
        assert due_date is not None  # checked by the domain rule above
        submission.status = milestone.status = "revision_requested"
        submission.revision_due_date = due_date
        uow.session.add(
            MilestoneChange(
                milestone_id=milestone.id,
                at=now,
                actor=principal.sub,
                old_due_date=milestone.due_date,
                new_due_date=due_date,
                reason=comments,
                details={"cause": "revision_requested", "submission_id": submission.id},
            )
        )
        milestone.due_date = due_date
        milestone.due_at = end_of_local_day(due_date, programme.timezone)
        deadline_set(uow, programme, milestone)
    uow.session.flush()
    uow.record(
        "mentoring.deliverable_reviewed",
        programme.region_code,
        events.DeliverableReviewedV1(
            programme_id=programme.id,
            region_code=programme.region_code,
            milestone_id=milestone.id,
            submission_id=submission.id,
            decision="accepted" if decision == "accept" else "revision_requested",
            comments=comments,
        ),
    )
    if decision == "accept":
        advance_programme(uow, programme)
    return submission


def advance_programme(uow: UnitOfWork, programme: Programme) -> None:
    """Complete every stage whose milestones are all accepted, in order, start the next one, and
    complete the programme after its last stage."""
    stages = list(uow.session.scalars(select(Stage).where(Stage.programme_id == programme.id).order_by(Stage.position)))
    states: dict[str, list[str]] = {}
    for milestone in uow.session.scalars(select(Milestone).where(Milestone.programme_id == programme.id)):
        states.setdefault(milestone.stage_id, []).append(milestone.status)
    advance = domain.advance_stages(
        [domain.StageProgress(s.key, s.status, tuple(states.get(s.id, ()))) for s in stages]
    )
    started, completed = set(advance.started), set(advance.completed)
    for stage in stages:
        if stage.key in started:
            stage.status = "active"
            _record_stage(uow, "mentoring.stage_started", programme, stage)
        if stage.key in completed:
            stage.status = "completed"
            _record_stage(uow, "mentoring.stage_completed", programme, stage)
    if advance.programme_complete and programme.status != "completed":
        # The evaluation may have been confirmed before the last earlier stage was accepted.
        evaluation = uow.session.get(Evaluation, programme.id)
        achievement_index = evaluation.achievement_index if evaluation is not None else None
        programme.status = "completed"
        programme.completed_at = uow.clock.now()
        uow.record(
            "mentoring.programme_completed",
            programme.region_code,
            events.ProgrammeCompletedV1(
                programme_id=programme.id, region_code=programme.region_code, achievement_index=achievement_index
            ),
        )
    uow.session.flush()


def _record_stage(uow: UnitOfWork, event_type: str, programme: Programme, stage: Stage) -> None:
    uow.record(
        event_type,
        programme.region_code,
        events.StageChangedV1(
            programme_id=programme.id, region_code=programme.region_code, stage_key=stage.key, stage_title=stage.title
        ),
    )


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


def submission_file(uow: UnitOfWork, submission_id: str, principal: Principal, var_dir: Path) -> tuple[Path, str]:
    submission = get_submission(uow, submission_id, principal)
    if submission.sha256 is None:
        raise NotFound("this submission is a link, not a stored file")
    path = submissions_dir(var_dir) / submission.id
    if not path.is_file():
        raise NotFound("the stored file is missing from this server's submissions folder")
    return path, submission.filename or submission.id
