"""Monev: the region's self-assessment with evidence per dimension, confirmed by an assessor into an
achievement index weighted by the cohort's weights."""

from __future__ import annotations

from sqlalchemy import select

from services.mentoring import domain
from services.mentoring.commands import ConfirmEvaluation, SelfAssess
from services.mentoring.handlers.common import advance_programme, get_programme, move_milestone
from services.mentoring.handlers.plans import weights_for_cohort
from services.mentoring.orm import Evaluation, Milestone
from shared.uow import UnitOfWork


def evaluation_milestones(uow: UnitOfWork, programme_id: str) -> list[Milestone]:
    return list(
        uow.session.scalars(
            select(Milestone).where(Milestone.programme_id == programme_id, Milestone.kind == "evaluation")
        )
    )


def self_assess(uow: UnitOfWork, command: SelfAssess) -> Evaluation:
    """Hand in (or correct, until it is confirmed) a score and its evidence for every weighted dimension."""
    programme = get_programme(uow, command.programme_id, command.principal)
    dimensions = {name: dict(values) for name, values in command.dimensions.items()}
    weights = weights_for_cohort(uow, programme.cohort_year)
    domain.check_dimensions(weights, {d: float(v["score"]) for d, v in dimensions.items()}, "dimensions")
    evaluation = uow.session.get(Evaluation, programme.id)
    domain.check_self_assessment(evaluation.status if evaluation is not None else None)
    if evaluation is None:
        evaluation = Evaluation(programme_id=programme.id, status=domain.INITIAL["evaluation"], self_assessment={})
        uow.session.add(evaluation)
    evaluation.self_assessment = dimensions
    evaluation.submitted_at, evaluation.submitted_by = uow.clock.now(), command.principal.sub
    for milestone in evaluation_milestones(uow, programme.id):
        # A correction finds the milestone handed in already; it stays so.
        if domain.may_move("milestone", milestone.status, "submitted"):
            move_milestone(uow, programme, milestone, "submitted")
    uow.session.flush()
    return evaluation


def confirm_evaluation(uow: UnitOfWork, command: ConfirmEvaluation) -> Evaluation:
    """The assessor may correct any self-assessed score; the index uses the cohort's weights as they are
    now, kept with the evaluation so a later change of weights does not rewrite a confirmed result."""
    programme = get_programme(uow, command.programme_id, command.principal)
    evaluation = uow.session.get(Evaluation, programme.id)
    domain.check_confirmation(evaluation.status if evaluation is not None else None)
    assert evaluation is not None  # refused by the domain rule above
    weights = weights_for_cohort(uow, programme.cohort_year)
    confirmed = {d: float(v["score"]) for d, v in evaluation.self_assessment.items()} | dict(command.scores or {})
    domain.check_dimensions(weights, confirmed, "scores")
    evaluation.achievement_index = domain.achievement_index(weights, confirmed)
    evaluation.confirmed_scores, evaluation.weights = confirmed, weights
    evaluation.assessor_comments = command.comments
    domain.check_transition("evaluation", evaluation.status, "confirmed")
    evaluation.status = "confirmed"
    evaluation.confirmed_at, evaluation.confirmed_by = uow.clock.now(), command.principal.sub
    for milestone in evaluation_milestones(uow, programme.id):
        if domain.may_move("milestone", milestone.status, "accepted"):
            move_milestone(uow, programme, milestone, "accepted")
    uow.session.flush()
    advance_programme(uow, programme)
    return evaluation
