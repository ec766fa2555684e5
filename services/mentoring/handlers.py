"""Mentoring use cases: a programme per signed MoU, its plan's deadlines, and rescheduling."""

from __future__ import annotations

import json
import uuid
from datetime import date
from importlib import resources
from typing import Any

from sqlalchemy import select

from services.mentoring import domain
from services.mentoring.orm import Milestone, MilestoneChange, Programme, Stage
from shared import events
from shared.auth import Principal, check_region
from shared.clock import end_of_local_day, local_date
from shared.errors import NotFound
from shared.uow import UnitOfWork


def default_template() -> domain.PlanTemplate:
    raw = resources.files("services.mentoring").joinpath("data/default_plan.json").read_text("utf-8")
    return domain.PlanTemplate.from_data(json.loads(raw))


def milestone_deadline_id(milestone_id: str) -> str:
    return f"mentoring:milestone:{milestone_id}"


def _deadline_set(uow: UnitOfWork, programme: Programme, milestone: Milestone) -> None:
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
        _deadline_set(uow, programme, milestone)
    return programme


def list_programmes(uow: UnitOfWork, region: str | None, cohort: int | None, principal: Principal) -> list[Programme]:
    query = select(Programme).order_by(Programme.cohort_year, Programme.region_code)
    if principal.role == "region":
        region = principal.region
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
        check_region(principal, programme.region_code)
    return programme


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
    milestone = uow.session.get(Milestone, milestone_id)
    if milestone is None:
        raise NotFound(f"no milestone with id {milestone_id!r}")
    programme = get_programme(uow, milestone.programme_id)
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
    _deadline_set(uow, programme, milestone)
    return milestone
