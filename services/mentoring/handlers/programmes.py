"""Programmes: one per signed MoU with its plan's deadlines, who may see them, mentors, rescheduling."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select

from services.mentoring import domain
from services.mentoring.orm import Evaluation, Milestone, MilestoneChange, Programme, ProgrammeMentor, Stage
from shared import events
from shared.auth import Principal, check_region
from shared.clock import end_of_local_day, local_date
from shared.errors import Forbidden, NotFound
from shared.uow import UnitOfWork


def milestone_deadline_id(milestone_id: str) -> str:
    return f"mentoring:milestone:{milestone_id}"


def deadline_set(uow: UnitOfWork, programme: Programme, milestone: Milestone) -> None:
    uow.record(
        "deadline.set",
        programme.region_code,
        events.DeadlineSetV1(
            deadline_id=milestone_deadline_id(milestone.id),
            region_code=programme.region_code,
            region_name=programme.region_name,
            timezone=programme.timezone,
            kind=f"mentoring_{milestone.kind}",
            title=milestone.title,
            due_at=milestone.due_at,
            audience=list(milestone.audience),
        ),
    )


def start_programme_for_signed_mou(
    uow: UnitOfWork, data: events.MouSignedV1, template: domain.PlanTemplate
) -> Programme | None:
    """One programme per agreement, however often the signing arrives."""
    if uow.session.scalar(select(Programme).where(Programme.agreement_id == data.agreement_id)) is not None:
        return None
    signed_on = local_date(data.signed_at, data.timezone)
    programme = Programme(
        id=str(uuid.uuid4()),
        agreement_id=data.agreement_id,
        cohort_year=data.cohort_year,
        region_code=data.region_code,
        region_name=data.region_name,
        timezone=data.timezone,
        signed_on=signed_on,
        template=f"{template.name}@{template.version}",
        status="active",
        created_at=uow.clock.now(),
    )
    uow.session.add(programme)
    # No ORM relationships here, so parents are flushed before the rows that point at them.
    uow.session.flush()
    milestones: list[Milestone] = []
    first_stage: Stage | None = None
    for planned in domain.plan_from_signing(template, signed_on, data.timezone):
        stage = Stage(
            id=str(uuid.uuid4()),
            programme_id=programme.id,
            key=planned.key,
            title=planned.title,
            position=planned.position,
            status="active" if planned.position == 1 else "pending",
            session_start=planned.session_start,
            session_end=planned.session_end,
        )
        first_stage = first_stage or stage
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
                status="open",
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
    if first_stage is not None:
        uow.record(
            "mentoring.stage_started",
            programme.region_code,
            events.StageChangedV1(
                programme_id=programme.id,
                region_code=programme.region_code,
                stage_key=first_stage.key,
                stage_title=first_stage.title,
            ),
        )
    for milestone in milestones:
        deadline_set(uow, programme, milestone)
    return programme


def list_programmes(uow: UnitOfWork, region: str | None, cohort: int | None, principal: Principal) -> list[Programme]:
    query = select(Programme).order_by(Programme.cohort_year, Programme.region_code)
    if principal.role == "region":
        region = principal.region
    if principal.role == "mentor":
        query = query.join(ProgrammeMentor, ProgrammeMentor.programme_id == Programme.id).where(
            ProgrammeMentor.mentor == principal.sub
        )
    if region:
        query = query.where(Programme.region_code == region)
    if cohort is not None:
        query = query.where(Programme.cohort_year == cohort)
    return list(uow.session.scalars(query))


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


def mentors_of(uow: UnitOfWork, programme_id: str) -> list[ProgrammeMentor]:
    return list(
        uow.session.scalars(
            select(ProgrammeMentor).where(ProgrammeMentor.programme_id == programme_id).order_by(ProgrammeMentor.mentor)
        )
    )


def assign_mentor(
    uow: UnitOfWork, programme_id: str, mentor: str, name: str | None, principal: Principal
) -> ProgrammeMentor:
    """Assigning the same mentor again only updates the name shown."""
    programme = get_programme(uow, programme_id)
    existing = uow.session.get(ProgrammeMentor, (programme.id, mentor))
    if existing is not None:
        existing.name = name or existing.name
        return existing
    assignment = ProgrammeMentor(
        programme_id=programme.id, mentor=mentor, name=name, assigned_at=uow.clock.now(), assigned_by=principal.sub
    )
    uow.session.add(assignment)
    uow.session.flush()
    return assignment


def unassign_mentor(uow: UnitOfWork, programme_id: str, mentor: str) -> None:
    programme = get_programme(uow, programme_id)
    existing = uow.session.get(ProgrammeMentor, (programme.id, mentor))
    if existing is None:
        raise NotFound(f"mentor {mentor!r} is not assigned to this programme")
    uow.session.delete(existing)


def programme_view(uow: UnitOfWork, programme: Programme) -> dict[str, Any]:
    stages = list(uow.session.scalars(select(Stage).where(Stage.programme_id == programme.id).order_by(Stage.position)))
    milestones = list(
        uow.session.scalars(
            select(Milestone).where(Milestone.programme_id == programme.id).order_by(Milestone.due_at, Milestone.key)
        )
    )
    now = uow.clock.now()
    by_stage: dict[str, list[dict[str, Any]]] = {}
    for m in milestones:
        by_stage.setdefault(m.stage_id, []).append(
            {
                "id": m.id,
                "key": m.key,
                "title": m.title,
                "kind": m.kind,
                "due_date": m.due_date.isoformat(),
                "due_at": m.due_at.isoformat(),
                "audience": m.audience,
                "status": m.status,
                "overdue": m.status != "accepted" and m.due_at < now,
            }
        )
    current = next((s for s in stages if s.status == "active"), None)
    open_milestones = [m for m in milestones if m.status != "accepted"]
    evaluation = uow.session.get(Evaluation, programme.id)
    return {
        "id": programme.id,
        "agreement_id": programme.agreement_id,
        "cohort_year": programme.cohort_year,
        "region_code": programme.region_code,
        "region_name": programme.region_name,
        "timezone": programme.timezone,
        "signed_on": programme.signed_on.isoformat(),
        "template": programme.template,
        "status": programme.status,
        "current_stage": current.key if current else None,
        "next_deadline": open_milestones[0].due_at.isoformat() if open_milestones else None,
        "completed_at": programme.completed_at.isoformat() if programme.completed_at else None,
        "achievement_index": evaluation.achievement_index if evaluation is not None else None,
        "mentors": [{"mentor": a.mentor, "name": a.name} for a in mentors_of(uow, programme.id)],
        "stages": [
            {
                "id": s.id,
                "key": s.key,
                "title": s.title,
                "position": s.position,
                "status": s.status,
                "session_start": s.session_start.isoformat() if s.session_start else None,
                "session_end": s.session_end.isoformat() if s.session_end else None,
                "milestones": by_stage.get(s.id, []),
            }
            for s in stages
        ],
    }


def reschedule_milestone(
    uow: UnitOfWork,
    milestone_id: str,
    new_due: date,
    reason: str | None,
    principal: Principal,
) -> Milestone:
    milestone = get_milestone(uow, milestone_id)
    programme = get_programme(uow, milestone.programme_id, principal)
    domain.check_reschedule(new_due, local_date(uow.clock.now(), programme.timezone), milestone.status)
    uow.session.add(
        MilestoneChange(
            milestone_id=milestone.id,
            at=uow.clock.now(),
            actor=principal.sub,
            old_due_date=milestone.due_date,
            new_due_date=new_due,
            reason=reason,
            details={},
        )
    )
    milestone.due_date = new_due
    milestone.due_at = end_of_local_day(new_due, programme.timezone)
    deadline_set(uow, programme, milestone)
    return milestone
