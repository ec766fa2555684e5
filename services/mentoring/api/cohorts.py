"""Routes for a cohort's data (plan template, monev weights) and its progress across regions."""

from __future__ import annotations

from flask import Response, jsonify

from services.mentoring import handlers, views
from services.mentoring.api.common import STAFF, api, cohorts_tag
from services.mentoring.commands import SetEvaluationWeights, SetPlanTemplate
from services.mentoring.schemas import (
    CohortPath,
    CohortProgressOut,
    PlanTemplateIn,
    PlanTemplateOut,
    WeightsIn,
    WeightsOut,
)
from shared.web import current_principal, requires, runtime_of


@api.get(
    "/cohorts/<int:year>/plan-template",
    tags=[cohorts_tag],
    responses={200: PlanTemplateOut},
    summary="The plan new programmes of this cohort get: the cohort's latest version, or the default",
)
@requires(*STAFF)
def get_plan_template(path: CohortPath) -> Response:
    with runtime_of().uow() as uow:
        return jsonify(views.template_view(uow, path.year))


@api.put(
    "/cohorts/<int:year>/plan-template",
    tags=[cohorts_tag],
    responses={200: PlanTemplateOut},
    summary="Set a cohort's plan template as a new version; running programmes keep their dates",
)
@requires("operator")
def set_plan_template(path: CohortPath, body: PlanTemplateIn) -> Response:
    command = SetPlanTemplate(path.year, body.model_dump(mode="json", exclude_none=True), current_principal())
    with runtime_of().uow() as uow:
        handlers.set_plan_template(uow, command)
        uow.commit()
        return jsonify(views.template_view(uow, path.year))


@api.get(
    "/cohorts/<int:year>/evaluation-weights",
    tags=[cohorts_tag],
    responses={200: WeightsOut},
    summary="The monev weights of a cohort (default: baseline 10, output 20, outcome 30, impact 30, quick win 10)",
)
@requires(*STAFF, "region")
def get_weights(path: CohortPath) -> Response:
    with runtime_of().uow() as uow:
        return jsonify(views.weights_view(uow, path.year))


@api.put(
    "/cohorts/<int:year>/evaluation-weights",
    tags=[cohorts_tag],
    responses={200: WeightsOut},
    summary="Set the monev weights of a cohort; confirmed evaluations keep the weights they used",
)
@requires("operator")
def set_weights(path: CohortPath, body: WeightsIn) -> Response:
    command = SetEvaluationWeights(path.year, body.weights, current_principal())
    with runtime_of().uow() as uow:
        handlers.set_evaluation_weights(uow, command)
        uow.commit()
        return jsonify(views.weights_view(uow, path.year))


@api.get(
    "/cohorts/<int:year>/progress",
    tags=[cohorts_tag],
    responses={200: CohortProgressOut},
    summary="A cohort's progress: how many regions are in each stage, and which are late with what",
)
@requires(*STAFF)
def cohort_progress(path: CohortPath) -> Response:
    with runtime_of().uow() as uow:
        return jsonify(views.cohort_progress(uow, path.year))
