"""Where programmes stand: per programme (stage, next deadline, overdue items) and per cohort."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from services.mentoring import domain
from services.mentoring.handlers.common import milestones_of, stages_of
from services.mentoring.orm import Milestone, Programme
from services.mentoring.views.programmes import current_stage
from shared.uow import UnitOfWork


def programme_progress(uow: UnitOfWork, programme: Programme) -> dict[str, Any]:
    now = uow.clock.now()
    stages = stages_of(uow, programme.id)
    milestones = milestones_of(uow, programme.id)
    current = current_stage(stages, milestones)
    waiting = [m for m in milestones if not domain.is_final("milestone", m.status)]
    upcoming = next((m for m in waiting if m.due_at >= now), None)
    overdue = [m for m in waiting if m.due_at < now]
    return {
        "programme_id": programme.id,
        "region_code": programme.region_code,
        "region_name": programme.region_name,
        "cohort_year": programme.cohort_year,
        "status": programme.status,
        "stage": {"key": current.key, "title": current.title} if current else None,
        "stages_completed": sum(1 for s in stages if domain.is_final("stage", s.status)),
        "stages_total": len(stages),
        "milestones_accepted": len(milestones) - len(waiting),
        "milestones_total": len(milestones),
        "next_deadline": _item(upcoming) if upcoming else None,
        "overdue": [{**_item(m), "days_overdue": (now - m.due_at).days} for m in overdue],
    }


def _item(milestone: Milestone) -> dict[str, Any]:
    return {
        "milestone_id": milestone.id,
        "key": milestone.key,
        "title": milestone.title,
        "status": milestone.status,
        "due_date": milestone.due_date.isoformat(),
        "due_at": milestone.due_at.isoformat(),
    }


def cohort_progress(uow: UnitOfWork, cohort_year: int) -> dict[str, Any]:
    """How many regions are in each stage (or done), and which are late with what."""
    programmes = list(
        uow.session.scalars(
            select(Programme).where(Programme.cohort_year == cohort_year).order_by(Programme.region_code)
        )
    )
    per_programme = [programme_progress(uow, p) for p in programmes]
    by_stage = Counter(p["stage"]["key"] if p["stage"] else p["status"] for p in per_programme)
    return {
        "cohort_year": cohort_year,
        "programmes": len(programmes),
        "by_stage": dict(sorted(by_stage.items())),
        "late": [
            {
                "programme_id": p["programme_id"],
                "region_code": p["region_code"],
                "region_name": p["region_name"],
                "stage": p["stage"]["key"] if p["stage"] else None,
                "overdue": [
                    {"key": o["key"], "due_date": o["due_date"], "days_overdue": o["days_overdue"]}
                    for o in p["overdue"]
                ],
            }
            for p in per_programme
            if p["overdue"]
        ],
    }
