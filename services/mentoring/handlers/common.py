"""What every mentoring use case shares: loading rows with their access rules, moving a milestone with
its deadline, and advancing a programme through its stages."""

from __future__ import annotations

from sqlalchemy import select

from services.mentoring import domain
from services.mentoring.orm import Evaluation, Milestone, Programme, ProgrammeMentor, Stage, Submission
from shared import events
from shared.auth import Principal, check_region
from shared.deadlines import DeadlineSpec, clear_deadline, set_deadline
from shared.errors import Forbidden, NotFound
from shared.uow import UnitOfWork


def get_programme(uow: UnitOfWork, programme_id: str, principal: Principal | None = None) -> Programme:
    programme = uow.session.get(Programme, programme_id)
    if programme is None:
        raise NotFound(f"no programme with id {programme_id!r}")
    if principal is not None:
        check_access(uow, principal, programme)
    return programme


def is_mentor_of(uow: UnitOfWork, mentor: str, programme_id: str) -> bool:
    return uow.session.get(ProgrammeMentor, (programme_id, mentor)) is not None


def check_access(uow: UnitOfWork, principal: Principal, programme: Programme) -> None:
    """Regions see their own programme; mentors see the programmes they are assigned to."""
    check_region(principal, programme.region_code)
    if principal.role == "mentor" and not is_mentor_of(uow, principal.sub, programme.id):
        raise Forbidden(f"mentor {principal.sub!r} is not assigned to the programme of {programme.region_name}")


def get_milestone(uow: UnitOfWork, milestone_id: str, *, lock: bool = False) -> Milestone:
    milestone = uow.session.get(Milestone, milestone_id, with_for_update=lock)
    if milestone is None:
        raise NotFound(f"no milestone with id {milestone_id!r}")
    return milestone


def get_submission(uow: UnitOfWork, submission_id: str, principal: Principal, *, lock: bool = False) -> Submission:
    submission = uow.session.get(Submission, submission_id, with_for_update=lock)
    if submission is None:
        raise NotFound(f"no submission with id {submission_id!r}")
    get_programme(uow, submission.programme_id, principal)
    return submission


def mentors_of(uow: UnitOfWork, programme_id: str) -> list[ProgrammeMentor]:
    return list(
        uow.session.scalars(
            select(ProgrammeMentor).where(ProgrammeMentor.programme_id == programme_id).order_by(ProgrammeMentor.mentor)
        )
    )


def announce_deadline(uow: UnitOfWork, programme: Programme, milestone: Milestone) -> None:
    """Tell notifications the milestone's due date (again); its id is the one shared.events defines."""
    set_deadline(
        uow,
        DeadlineSpec(
            deadline_id=events.milestone_deadline_id(milestone.id),
            region_code=programme.region_code,
            region_name=programme.region_name,
            timezone=programme.timezone,
            kind=f"mentoring_{milestone.kind}",
            title=milestone.title,
            due_at=milestone.due_at,
            audience=tuple(milestone.audience),
        ),
    )


def apply_deadline(uow: UnitOfWork, programme: Programme, milestone: Milestone) -> None:
    """Open, move or close the milestone's deadline as the domain says its current state requires."""
    effect = domain.deadline_on_entry(milestone.status)
    if effect == "set":
        announce_deadline(uow, programme, milestone)
    elif effect == "met":
        clear_deadline(uow, events.milestone_deadline_id(milestone.id), programme.region_code, "met")


def move_milestone(uow: UnitOfWork, programme: Programme, milestone: Milestone, target: str) -> None:
    domain.check_transition("milestone", milestone.status, target)
    milestone.status = target
    apply_deadline(uow, programme, milestone)


def stages_of(uow: UnitOfWork, programme_id: str) -> list[Stage]:
    return list(uow.session.scalars(select(Stage).where(Stage.programme_id == programme_id).order_by(Stage.position)))


def milestones_of(uow: UnitOfWork, programme_id: str) -> list[Milestone]:
    return list(
        uow.session.scalars(
            select(Milestone).where(Milestone.programme_id == programme_id).order_by(Milestone.due_at, Milestone.key)
        )
    )


def stage_progress(stages: list[Stage], milestones: list[Milestone]) -> list[domain.StageProgress]:
    """The stages in plan order as the domain reads them: each with its milestones' due instants and states."""
    work: dict[str, list[domain.MilestoneProgress]] = {}
    for milestone in milestones:
        work.setdefault(milestone.stage_id, []).append(domain.MilestoneProgress(milestone.due_at, milestone.status))
    return [domain.StageProgress(s.key, s.status, tuple(work.get(s.id, ()))) for s in stages]


def advance_programme(uow: UnitOfWork, programme: Programme) -> None:
    """Start the stages the domain says have come (the current one and every one before it), complete
    those whose milestones are all accepted, and complete the programme after its last stage. Run after
    anything that accepts work or moves a due date, since either may change which stage is current."""
    uow.session.flush()
    stages = stages_of(uow, programme.id)
    advance = domain.advance_stages(stage_progress(stages, milestones_of(uow, programme.id)))
    started, completed = set(advance.started), set(advance.completed)
    for stage in stages:
        if stage.key in started:
            domain.check_transition("stage", stage.status, "active")
            stage.status = "active"
            record_stage(uow, "mentoring.stage_started", programme, stage)
        if stage.key in completed:
            domain.check_transition("stage", stage.status, "completed")
            stage.status = "completed"
            record_stage(uow, "mentoring.stage_completed", programme, stage)
    if advance.programme_complete and domain.may_move("programme", programme.status, "completed"):
        # The plan's evaluation is the first year's; it may have been confirmed before the last earlier
        # stage was accepted.
        first_year = domain.first_evaluation_year(programme.cohort_year)
        evaluation = uow.session.get(Evaluation, (programme.id, first_year))
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


def record_stage(uow: UnitOfWork, event_type: str, programme: Programme, stage: Stage) -> None:
    uow.record(
        event_type,
        programme.region_code,
        events.StageChangedV1(
            programme_id=programme.id, region_code=programme.region_code, stage_key=stage.key, stage_title=stage.title
        ),
    )
