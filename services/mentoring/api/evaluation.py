"""Routes for the monev evaluation of a programme."""

from __future__ import annotations

from flask import Response, jsonify

from services.mentoring import handlers, views
from services.mentoring.api.common import READERS, api, evaluation_tag
from services.mentoring.commands import ConfirmEvaluation, SelfAssess
from services.mentoring.schemas import ConfirmIn, EvaluationOut, ProgrammePath, SelfAssessmentIn
from shared.web import current_principal, requires, runtime_of


@api.put(
    "/programmes/<programme_id>/evaluation",
    tags=[evaluation_tag],
    responses={200: EvaluationOut},
    summary="The region's self-assessment: a score and evidence for every weighted dimension",
)
@requires("region", "operator")
def self_assess(path: ProgrammePath, body: SelfAssessmentIn) -> Response:
    dimensions = {name: d.model_dump(mode="json") for name, d in body.dimensions.items()}
    command = SelfAssess(path.programme_id, current_principal(), dimensions)
    with runtime_of().uow() as uow:
        handlers.self_assess(uow, command)
        uow.commit()
        return jsonify(views.evaluation_view(uow, path.programme_id, current_principal()))


@api.get(
    "/programmes/<programme_id>/evaluation",
    tags=[evaluation_tag],
    responses={200: EvaluationOut},
    summary="The evaluation: self-assessment, confirmed scores, weights and achievement index",
)
@requires(*READERS)
def get_evaluation(path: ProgrammePath) -> Response:
    with runtime_of().uow() as uow:
        return jsonify(views.evaluation_view(uow, path.programme_id, current_principal()))


@api.post(
    "/programmes/<programme_id>/evaluation/confirm",
    tags=[evaluation_tag],
    responses={200: EvaluationOut},
    summary="An assessor confirms (and may correct) the scores; the programme completes",
)
@requires("assessor")
def confirm(path: ProgrammePath, body: ConfirmIn) -> Response:
    command = ConfirmEvaluation(path.programme_id, current_principal(), body.scores, body.comments)
    with runtime_of().uow() as uow:
        handlers.confirm_evaluation(uow, command)
        uow.commit()
        return jsonify(views.evaluation_view(uow, path.programme_id, current_principal()))
