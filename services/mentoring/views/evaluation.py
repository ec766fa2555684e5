"""Reading a programme's yearly evaluations: one year's self-assessment, confirmation and index, or all years."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.mentoring.handlers.common import get_programme
from services.mentoring.handlers.evaluation import evaluation_year
from services.mentoring.handlers.plans import weights_for_cohort
from services.mentoring.orm import Evaluation, Programme
from shared.auth import Principal
from shared.errors import NotFound
from shared.uow import UnitOfWork


def evaluation_view(
    uow: UnitOfWork, programme_id: str, principal: Principal, year: int | None = None
) -> dict[str, Any]:
    """One year's evaluation; no year means the programme's first."""
    programme = get_programme(uow, programme_id, principal)
    year = evaluation_year(programme, year)
    evaluation = uow.session.get(Evaluation, (programme.id, year))
    if evaluation is None:
        raise NotFound(f"the region has not handed in its self-assessment for {year} yet")
    return _item(uow, programme, evaluation)


def evaluations_view(uow: UnitOfWork, programme_id: str, principal: Principal) -> dict[str, Any]:
    programme = get_programme(uow, programme_id, principal)
    rows = uow.session.scalars(
        select(Evaluation).where(Evaluation.programme_id == programme.id).order_by(Evaluation.year)
    )
    return {"programme_id": programme.id, "items": [_item(uow, programme, e) for e in rows]}


def _item(uow: UnitOfWork, programme: Programme, evaluation: Evaluation) -> dict[str, Any]:
    return {
        "programme_id": programme.id,
        "year": evaluation.year,
        "status": evaluation.status,
        "dimensions": evaluation.self_assessment,
        "submitted_at": evaluation.submitted_at.isoformat(),
        "submitted_by": evaluation.submitted_by,
        "weights": evaluation.weights or weights_for_cohort(uow, programme.cohort_year),
        "confirmed_scores": evaluation.confirmed_scores,
        "achievement_index": evaluation.achievement_index,
        "assessor_comments": evaluation.assessor_comments,
        "confirmed_at": evaluation.confirmed_at.isoformat() if evaluation.confirmed_at else None,
        "confirmed_by": evaluation.confirmed_by,
    }
