"""Reading programmes: the list a principal may see, and one programme with its stages and milestones."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.mentoring import domain
from services.mentoring.handlers.common import mentors_of
from services.mentoring.orm import Evaluation, Milestone, Programme, ProgrammeMentor, Stage
from shared.auth import Principal
from shared.uow import UnitOfWork


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


def mentor_items(uow: UnitOfWork, programme_id: str) -> list[dict[str, Any]]:
    return [{"mentor": a.mentor, "name": a.name} for a in mentors_of(uow, programme_id)]


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
                "overdue": not domain.is_final("milestone", m.status) and m.due_at < now,
            }
        )
    current = next((s for s in stages if s.status == "active"), None)
    open_milestones = [m for m in milestones if not domain.is_final("milestone", m.status)]
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
        "mentors": mentor_items(uow, programme.id),
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


def milestone_view(uow: UnitOfWork, programme: Programme, milestone_id: str) -> dict[str, Any]:
    view = programme_view(uow, programme)
    return next(m for s in view["stages"] for m in s["milestones"] if m["id"] == milestone_id)
