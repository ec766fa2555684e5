"""Reading programmes: the list a principal may see, and one programme with its stages and milestones."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.mentoring import domain
from services.mentoring.handlers.common import mentors_of, milestones_of, stage_progress, stages_of
from services.mentoring.orm import BimtekSession, Evaluation, Milestone, Programme, ProgrammeMentor, Stage
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


def current_stage(stages: list[Stage], milestones: list[Milestone]) -> Stage | None:
    """The stage row the domain calls current (the stage of the work due first), or None when all is done."""
    key = domain.current_stage(stage_progress(stages, milestones))
    return next((s for s in stages if s.key == key), None)


def session_view(session: BimtekSession | None) -> dict[str, Any] | None:
    if session is None:
        return None
    return {
        "id": session.id,
        "title": session.title,
        "starts_on": session.starts_on.isoformat(),
        "ends_on": session.ends_on.isoformat(),
        "audience": session.audience,
        "venue": session.venue,
        "sequence": session.sequence,
    }


def evaluation_items(uow: UnitOfWork, programme_id: str) -> list[dict[str, Any]]:
    rows = uow.session.scalars(
        select(Evaluation).where(Evaluation.programme_id == programme_id).order_by(Evaluation.year)
    )
    return [{"year": e.year, "status": e.status, "achievement_index": e.achievement_index} for e in rows]


def programme_view(uow: UnitOfWork, programme: Programme) -> dict[str, Any]:
    stages = stages_of(uow, programme.id)
    milestones = milestones_of(uow, programme.id)
    sessions = {
        s.stage_id: s
        for s in uow.session.scalars(select(BimtekSession).where(BimtekSession.programme_id == programme.id))
    }
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
    current = current_stage(stages, milestones)
    open_milestones = [m for m in milestones if not domain.is_final("milestone", m.status)]
    evaluations = evaluation_items(uow, programme.id)
    confirmed = [e for e in evaluations if e["achievement_index"] is not None]
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
        # The latest year's confirmed index; every year's is under evaluations.
        "achievement_index": confirmed[-1]["achievement_index"] if confirmed else None,
        "evaluations": evaluations,
        "mentors": mentor_items(uow, programme.id),
        "stages": [stage_item(s, sessions.get(s.id), by_stage.get(s.id, [])) for s in stages],
    }


def stage_item(stage: Stage, session: BimtekSession | None, milestones: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": stage.id,
        "key": stage.key,
        "title": stage.title,
        "position": stage.position,
        "status": stage.status,
        # The session's days as they were shown before sessions could move; its id is under session.
        "session_start": session.starts_on.isoformat() if session else None,
        "session_end": session.ends_on.isoformat() if session else None,
        "session": session_view(session),
        "milestones": milestones,
    }


def milestone_view(uow: UnitOfWork, programme: Programme, milestone_id: str) -> dict[str, Any]:
    view = programme_view(uow, programme)
    return next(m for s in view["stages"] for m in s["milestones"] if m["id"] == milestone_id)
