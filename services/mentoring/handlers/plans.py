"""Data that belongs to a cohort, not to the code: its plan template (versioned) and its monev weights."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sqlalchemy import func, select

from services.mentoring import domain
from services.mentoring.commands import SetEvaluationWeights, SetPlanTemplate
from services.mentoring.orm import EvaluationWeights, PlanTemplateVersion
from shared.uow import UnitOfWork


def default_template_data() -> dict[str, Any]:
    raw = resources.files("services.mentoring").joinpath("data/default_plan.json").read_text("utf-8")
    return json.loads(raw)


def default_template() -> domain.PlanTemplate:
    return domain.PlanTemplate.from_data(default_template_data())


def latest_template_row(uow: UnitOfWork, cohort_year: int) -> PlanTemplateVersion | None:
    return uow.session.scalar(
        select(PlanTemplateVersion)
        .where(PlanTemplateVersion.cohort_year == cohort_year)
        .order_by(PlanTemplateVersion.version.desc())
        .limit(1)
    )


def template_for_cohort(uow: UnitOfWork, cohort_year: int) -> domain.PlanTemplate:
    """The cohort's latest template, or the one that ships when the cohort has none of its own."""
    row = latest_template_row(uow, cohort_year)
    if row is None:
        return default_template()
    return domain.PlanTemplate.from_data({**row.body, "name": row.name, "version": row.version})


def set_plan_template(uow: UnitOfWork, command: SetPlanTemplate) -> PlanTemplateVersion:
    """Store a new version; programmes already running keep the dates they were given."""
    cohort_year, data = command.cohort_year, dict(command.plan)
    current = uow.session.scalar(
        select(func.max(PlanTemplateVersion.version)).where(PlanTemplateVersion.cohort_year == cohort_year)
    )
    version = (current or 0) + 1
    # Parse before storing so a malformed plan is refused now, not when the next MoU is signed.
    template = domain.PlanTemplate.from_data({**data, "version": version})
    body = {key: value for key, value in data.items() if key not in {"name", "version"}}
    row = PlanTemplateVersion(
        cohort_year=cohort_year,
        version=version,
        name=template.name,
        body=body,
        created_at=uow.clock.now(),
        created_by=command.principal.sub,
    )
    uow.session.add(row)
    uow.session.flush()
    return row


def weights_for_cohort(uow: UnitOfWork, cohort_year: int) -> dict[str, float]:
    row = uow.session.get(EvaluationWeights, cohort_year)
    return dict(row.weights) if row is not None else dict(domain.DEFAULT_WEIGHTS)


def set_evaluation_weights(uow: UnitOfWork, command: SetEvaluationWeights) -> EvaluationWeights:
    checked = domain.check_weights(command.weights)
    row = uow.session.get(EvaluationWeights, command.cohort_year)
    by = command.principal.sub
    if row is None:
        row = EvaluationWeights(cohort_year=command.cohort_year, weights=checked, set_at=uow.clock.now(), set_by=by)
        uow.session.add(row)
    else:
        row.weights, row.set_at, row.set_by = checked, uow.clock.now(), by
    uow.session.flush()
    return row
