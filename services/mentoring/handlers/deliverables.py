"""Deliverables: a region hands in a stored file or a link for a milestone, a mentor accepts it or asks
for a revision, and accepted work moves the programme through its stages."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from services.mentoring import domain
from services.mentoring.commands import ReviewSubmission, SubmitDeliverable
from services.mentoring.handlers.common import (
    advance_programme,
    get_milestone,
    get_programme,
    get_submission,
    move_milestone,
)
from services.mentoring.orm import Milestone, MilestoneChange, Programme, Submission
from shared import events
from shared.auth import Principal
from shared.clock import end_of_local_day, local_date
from shared.errors import Forbidden, Invalid
from shared.uow import UnitOfWork


def check_hand_in(
    uow: UnitOfWork, milestone_id: str, principal: Principal, *, link: str | None, with_file: bool
) -> tuple[Milestone, Programme]:
    """Whether this hand-in is allowed, with the milestone locked for the rest of the transaction.

    A route runs it before storing an upload, so a refused hand-in leaves no file behind; the
    handler runs it again, which the lock makes cheap and certain to agree."""
    if (link is None) == (not with_file):
        raise Invalid("send either a file or a link, not both and not neither", field="file")
    # Locked: a second hand-in sent at the same moment must see this one and wait for its review.
    milestone = get_milestone(uow, milestone_id, lock=True)
    programme = get_programme(uow, milestone.programme_id, principal)
    domain.check_programme_open(programme.status)
    domain.check_submission(milestone.status, milestone.kind)
    return milestone, programme


def submit_deliverable(uow: UnitOfWork, command: SubmitDeliverable) -> Submission:
    milestone, programme = check_hand_in(
        uow, command.milestone_id, command.principal, link=command.link, with_file=command.file is not None
    )
    attempt = (
        uow.session.scalar(select(func.max(Submission.attempt)).where(Submission.milestone_id == milestone.id)) or 0
    ) + 1
    upload = command.file
    submission = Submission(
        id=str(uuid.uuid4()),
        programme_id=programme.id,
        milestone_id=milestone.id,
        attempt=attempt,
        link=command.link,
        filename=upload.filename if upload else None,
        content_type=upload.content_type if upload else None,
        size_bytes=upload.size_bytes if upload else None,
        sha256=upload.sha256 if upload else None,
        note=command.note,
        submitted_at=uow.clock.now(),
        submitted_by=command.principal.sub,
        status=domain.INITIAL["submission"],
    )
    uow.session.add(submission)
    move_milestone(uow, programme, milestone, "submitted")
    uow.session.flush()
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


def review_submission(uow: UnitOfWork, command: ReviewSubmission) -> Submission:
    principal = command.principal
    # Locked: of two reviews sent at the same moment, the second sees the first and is refused.
    # get_submission refuses a mentor who is not assigned to this programme.
    submission = get_submission(uow, command.submission_id, principal, lock=True)
    programme = get_programme(uow, submission.programme_id)
    if principal.role != "mentor":
        raise Forbidden("only a mentor reviews deliverables")
    milestone = get_milestone(uow, submission.milestone_id)
    now = uow.clock.now()
    domain.check_review(
        submission.status, command.decision, command.comments, command.due_date, local_date(now, programme.timezone)
    )
    outcome = domain.REVIEW_OUTCOMES[command.decision]
    domain.check_transition("submission", submission.status, outcome)
    submission.status = outcome
    submission.reviewed_at, submission.reviewed_by, submission.comments = now, principal.sub, command.comments
    if command.due_date is not None and domain.review_moves_due_date(command.decision):
        submission.revision_due_date = command.due_date
        uow.session.add(
            MilestoneChange(
                milestone_id=milestone.id,
                at=now,
                actor=principal.sub,
                old_due_date=milestone.due_date,
                new_due_date=command.due_date,
                reason=command.comments,
                details={"cause": "revision_requested", "submission_id": submission.id},
            )
        )
        milestone.due_date = command.due_date
        milestone.due_at = end_of_local_day(command.due_date, programme.timezone)
    # The milestone follows its submission; the domain says whether that opens or closes its deadline.
    move_milestone(uow, programme, milestone, outcome)
    uow.session.flush()
    uow.record(
        "mentoring.deliverable_reviewed",
        programme.region_code,
        events.DeliverableReviewedV1(
            programme_id=programme.id,
            region_code=programme.region_code,
            milestone_id=milestone.id,
            submission_id=submission.id,
            decision=outcome,
            comments=command.comments,
        ),
    )
    # Accepted work may complete a stage, and a revision's new due date may change which stage is current.
    advance_programme(uow, programme)
    return submission
