"""Programmes: one per signed MoU with its plan's deadlines, its mentors, and rescheduled milestones."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from services.mentoring import domain
from services.mentoring.commands import AssignMentor, RescheduleMilestone, StartProgramme, UnassignMentor
from services.mentoring.handlers.common import (
    advance_programme,
    announce_deadline,
    apply_deadline,
    get_milestone,
    get_programme,
)
from services.mentoring.handlers.plans import template_for_cohort
from services.mentoring.handlers.sessions import open_session
from services.mentoring.orm import Milestone, MilestoneChange, Programme, ProgrammeMentor, Stage
from shared import events, regions
from shared.clock import end_of_local_day, local_date
from shared.errors import NotFound
from shared.uow import UnitOfWork


def start_programme(uow: UnitOfWork, command: StartProgramme) -> Programme | None:
    """One programme per agreement, however often the signing arrives."""
    if uow.session.scalar(select(Programme).where(Programme.agreement_id == command.agreement_id)) is not None:
        return None
    template = template_for_cohort(uow, command.cohort_year)
    signed_on = local_date(command.signed_at, command.timezone)
    programme = Programme(
        id=str(uuid.uuid4()),
        agreement_id=command.agreement_id,
        cohort_year=command.cohort_year,
        region_code=command.region_code,
        region_name=command.region_name,
        timezone=command.timezone,
        signed_on=signed_on,
        template=f"{template.name}@{template.version}",
        status=domain.INITIAL["programme"],
        created_at=uow.clock.now(),
    )
    uow.session.add(programme)
    # No ORM relationships here, so parents are flushed before the rows that point at them.
    uow.session.flush()
    milestones: list[Milestone] = []
    planned_stages: list[tuple[Stage, domain.PlannedStage]] = []
    plan = domain.plan_from_signing(template, signed_on, command.timezone, _regulation(command.region_code))
    for planned in plan:
        # Every stage waits; the domain starts the ones that have come once the milestones are in.
        stage = Stage(
            id=str(uuid.uuid4()),
            programme_id=programme.id,
            key=planned.key,
            title=planned.title,
            position=planned.position,
            status=domain.INITIAL["stage"],
        )
        planned_stages.append((stage, planned))
        uow.session.add(stage)
        uow.session.flush()
        for item in planned.milestones:
            milestone = Milestone(
                id=str(uuid.uuid4()),
                programme_id=programme.id,
                stage_id=stage.id,
                key=item.key,
                title=item.title,
                kind=item.kind,
                due_date=item.due_date,
                due_at=item.due_at,
                audience=list(item.audience),
                status=domain.INITIAL["milestone"],
            )
            uow.session.add(milestone)
            milestones.append(milestone)
    uow.session.flush()
    uow.record(
        "mentoring.programme_started",
        programme.region_code,
        events.ProgrammeStartedV1(
            programme_id=programme.id,
            agreement_id=programme.agreement_id,
            cohort_year=programme.cohort_year,
            region_code=programme.region_code,
            timezone=programme.timezone,
            milestones=[
                events.MilestoneRef(milestone_id=m.id, key=m.key, title=m.title, due_at=m.due_at) for m in milestones
            ],
        ),
    )
    advance_programme(uow, programme)
    for milestone in milestones:
        apply_deadline(uow, programme, milestone)
    for stage, planned in planned_stages:
        open_session(uow, programme, stage, planned)
    return programme


def _regulation(region_code: str) -> tuple[str, str]:
    """The regulation that enacts this region's Masterplan: a Perbup, Perwali or Pergub by its kind."""
    try:
        return regions.regulation_of(region_code)
    except ValueError:
        # A code the register does not shape like a region still gets a programme, with the generic name.
        return domain.GENERIC_REGULATION


def assign_mentor(uow: UnitOfWork, command: AssignMentor) -> ProgrammeMentor:
    """Assigning the same mentor again only updates the name shown."""
    programme = get_programme(uow, command.programme_id)
    existing = uow.session.get(ProgrammeMentor, (programme.id, command.mentor))
    if existing is not None:
        existing.name = command.name or existing.name
        return existing
    assignment = ProgrammeMentor(
        programme_id=programme.id,
        mentor=command.mentor,
        name=command.name,
        assigned_at=uow.clock.now(),
        assigned_by=command.principal.sub,
    )
    uow.session.add(assignment)
    uow.session.flush()
    return assignment


def unassign_mentor(uow: UnitOfWork, command: UnassignMentor) -> None:
    programme = get_programme(uow, command.programme_id)
    existing = uow.session.get(ProgrammeMentor, (programme.id, command.mentor))
    if existing is None:
        raise NotFound(f"mentor {command.mentor!r} is not assigned to this programme")
    uow.session.delete(existing)


def reschedule_milestone(uow: UnitOfWork, command: RescheduleMilestone) -> Milestone:
    milestone = get_milestone(uow, command.milestone_id)
    programme = get_programme(uow, milestone.programme_id, command.principal)
    now = uow.clock.now()
    domain.check_reschedule(command.due_date, local_date(now, programme.timezone), milestone.status)
    uow.session.add(
        MilestoneChange(
            milestone_id=milestone.id,
            at=now,
            actor=command.principal.sub,
            old_due_date=milestone.due_date,
            new_due_date=command.due_date,
            reason=command.reason,
            details={},
        )
    )
    milestone.due_date = command.due_date
    milestone.due_at = end_of_local_day(command.due_date, programme.timezone)
    # A moved due date is announced again whatever the milestone's state; reminders follow the new one.
    announce_deadline(uow, programme, milestone)
    # What is due first may now be another stage's work.
    advance_programme(uow, programme)
    return milestone
