"""Reading what a cohort's programmes are measured by: its plan template and its monev weights."""

from __future__ import annotations

from typing import Any

from services.mentoring import domain
from services.mentoring.handlers.plans import default_template_data, latest_template_row
from services.mentoring.orm import EvaluationWeights
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
