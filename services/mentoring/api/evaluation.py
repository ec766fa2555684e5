"""Routes for the yearly monev evaluations of a programme; the routes without a year speak of its first."""

from __future__ import annotations

from flask import Response, jsonify

from services.mentoring import handlers, views
from services.mentoring.api.common import READERS, api, evaluation_tag
from services.mentoring.commands import ConfirmEvaluation, SelfAssess
from services.mentoring.schemas import (
    ConfirmIn,
    EvaluationList,
    EvaluationOut,
    EvaluationPath,
    ProgrammePath,
    SelfAssessmentIn,
)
from shared.web import current_principal, requires, runtime_of


def _self_assess(programme_id: str, year: int | None, body: SelfAssessmentIn) -> Response:
    dimensions = {name: d.model_dump(mode="json") for name, d in body.dimensions.items()}
    command = SelfAssess(programme_id, current_principal(), dimensions, year)
    with runtime_of().uow() as uow:
        evaluation = handlers.self_assess(uow, command)
        uow.commit()
        return jsonify(views.evaluation_view(uow, programme_id, current_principal(), evaluation.year))


def _confirm(programme_id: str, year: int | None, body: ConfirmIn) -> Response:
    command = ConfirmEvaluation(programme_id, current_principal(), body.scores, body.comments, year)
    with runtime_of().uow() as uow:
        evaluation = handlers.confirm_evaluation(uow, command)
        uow.commit()
        return jsonify(views.evaluation_view(uow, programme_id, current_principal(), evaluation.year))


@api.get(
    "/programmes/<programme_id>/evaluations",
    tags=[evaluation_tag],
    responses={200: EvaluationList},
    summary="Every year's evaluation of a programme, oldest first",
)
@requires(*READERS)
def list_evaluations(path: ProgrammePath) -> Response:
    with runtime_of().uow() as uow:
        return jsonify(views.evaluations_view(uow, path.programme_id, current_principal()))


@api.put(
    "/programmes/<programme_id>/evaluations/<int:year>",
    tags=[evaluation_tag],
    responses={200: EvaluationOut},
    summary="The region's self-assessment of a year: a score and evidence for every weighted dimension; "
    "open once the Masterplan stage is complete (409 before)",
)
@requires("region", "operator")
def self_assess_year(path: EvaluationPath, body: SelfAssessmentIn) -> Response:
    return _self_assess(path.programme_id, path.year, body)


@api.get(
    "/programmes/<programme_id>/evaluations/<int:year>",
    tags=[evaluation_tag],
    responses={200: EvaluationOut},
    summary="A year's evaluation: self-assessment, confirmed scores, weights and achievement index",
)
@requires(*READERS)
def get_evaluation_year(path: EvaluationPath) -> Response:
    with runtime_of().uow() as uow:
        return jsonify(views.evaluation_view(uow, path.programme_id, current_principal(), path.year))


@api.post(
    "/programmes/<programme_id>/evaluations/<int:year>/confirm",
    tags=[evaluation_tag],
    responses={200: EvaluationOut},
    summary="An assessor confirms (and may correct) a year's scores; the first year's completes the programme",
)
@requires("assessor")
def confirm_year(path: EvaluationPath, body: ConfirmIn) -> Response:
    return _confirm(path.programme_id, path.year, body)


@api.put(
    "/programmes/<programme_id>/evaluation",
    tags=[evaluation_tag],
    responses={200: EvaluationOut},
    summary="The self-assessment of the programme's first year (its cohort's year); "
    "PUT /programmes/<id>/evaluations/<year> names the year",
)
@requires("region", "operator")
def self_assess(path: ProgrammePath, body: SelfAssessmentIn) -> Response:
    return _self_assess(path.programme_id, None, body)


@api.get(
    "/programmes/<programme_id>/evaluation",
    tags=[evaluation_tag],
    responses={200: EvaluationOut},
    summary="The evaluation of the programme's first year",
)
@requires(*READERS)
def get_evaluation(path: ProgrammePath) -> Response:
    with runtime_of().uow() as uow:
        return jsonify(views.evaluation_view(uow, path.programme_id, current_principal()))


@api.post(
    "/programmes/<programme_id>/evaluation/confirm",
    tags=[evaluation_tag],
    responses={200: EvaluationOut},
    summary="An assessor confirms the programme's first year; the programme completes with it",
)
@requires("assessor")
def confirm(path: ProgrammePath, body: ConfirmIn) -> Response:
    return _confirm(path.programme_id, None, body)
