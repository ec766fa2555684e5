"""Reading what a cohort's programmes are measured by: its plan template, its monev weights, an evaluation."""

from __future__ import annotations

from typing import Any

from services.mentoring import domain
from services.mentoring.handlers.common import get_programme
from services.mentoring.handlers.plans import default_template_data, latest_template_row, weights_for_cohort
from services.mentoring.orm import Evaluation, EvaluationWeights
from shared.auth import Principal
from shared.errors import NotFound
from shared.uow import UnitOfWork


def template_view(uow: UnitOfWork, cohort_year: int) -> dict[str, Any]:
    row = latest_template_row(uow, cohort_year)
    if row is None:
        data = default_template_data()
        return {"cohort_year": cohort_year, "source": "default", **data, "set_at": None, "set_by": None}
    return {
        "cohort_year": cohort_year,
        "source": "cohort",
        **row.body,
        "name": row.name,
        "version": row.version,
        "set_at": row.created_at.isoformat(),
        "set_by": row.created_by,
    }


def weights_view(uow: UnitOfWork, cohort_year: int) -> dict[str, Any]:
    row = uow.session.get(EvaluationWeights, cohort_year)
    if row is None:
        return {"cohort_year": cohort_year, "source": "default", "weights": dict(domain.DEFAULT_WEIGHTS)}
    return {
        "cohort_year": cohort_year,
        "source": "cohort",
        "weights": dict(row.weights),
        "set_at": row.set_at.isoformat(),
        "set_by": row.set_by,
    }


def evaluation_view(uow: UnitOfWork, programme_id: str, principal: Principal) -> dict[str, Any]:
    programme = get_programme(uow, programme_id, principal)
    evaluation = uow.session.get(Evaluation, programme.id)
    if evaluation is None:
        raise NotFound("the region has not handed in its self-assessment yet")
    return {
        "programme_id": programme.id,
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
