"""Monev, once a year per programme: the region's self-assessment with evidence per dimension, confirmed
by an assessor into an achievement index weighted by the cohort's weights."""

from __future__ import annotations

from sqlalchemy import select

from services.mentoring import domain
from services.mentoring.commands import ConfirmEvaluation, SelfAssess
from services.mentoring.handlers.common import advance_programme, get_programme, move_milestone
from services.mentoring.handlers.plans import weights_for_cohort
from services.mentoring.orm import Evaluation, Milestone, Programme, Stage
from shared.clock import local_date
from shared.uow import UnitOfWork


def evaluation_year(programme: Programme, year: int | None) -> int:
    """The year asked for, or the programme's first when none is named (the route of a single evaluation)."""
    return domain.first_evaluation_year(programme.cohort_year) if year is None else year


def plan_milestones(uow: UnitOfWork, programme: Programme, year: int) -> list[Milestone]:
    """The plan's evaluation milestone stands for the first year's monev; later years have none."""
    if year != domain.first_evaluation_year(programme.cohort_year):
        return []
    return list(
        uow.session.scalars(
            select(Milestone).where(Milestone.programme_id == programme.id, Milestone.kind == domain.EVALUATION_KIND)
        )
    )


def planned_work(uow: UnitOfWork, programme_id: str) -> list[domain.PlannedWork]:
    rows = uow.session.execute(
        select(Stage.key, Milestone.kind, Milestone.status)
        .join(Stage, Stage.id == Milestone.stage_id)
        .where(Milestone.programme_id == programme_id)
    )
    return [domain.PlannedWork(stage_key, kind, status) for stage_key, kind, status in rows]


def self_assess(uow: UnitOfWork, command: SelfAssess) -> Evaluation:
    """Hand in (or correct, until it is confirmed) a year's score and evidence for every weighted dimension."""
    programme = get_programme(uow, command.programme_id, command.principal)
    year = evaluation_year(programme, command.year)
    domain.check_evaluation_year(year, programme.cohort_year, local_date(uow.clock.now(), programme.timezone))
    domain.check_evaluation_open(planned_work(uow, programme.id))
    dimensions = {name: dict(values) for name, values in command.dimensions.items()}
    weights = weights_for_cohort(uow, programme.cohort_year)
    domain.check_dimensions(weights, {d: float(v["score"]) for d, v in dimensions.items()}, "dimensions")
    # Locked: a correction and a confirmation sent at the same moment are applied one after the other.
    evaluation = uow.session.get(Evaluation, (programme.id, year), with_for_update=True)
    domain.check_self_assessment(evaluation.status if evaluation is not None else None)
    if evaluation is None:
        evaluation = Evaluation(
            programme_id=programme.id, year=year, status=domain.INITIAL["evaluation"], self_assessment={}
        )
        uow.session.add(evaluation)
    evaluation.self_assessment = dimensions
    evaluation.submitted_at, evaluation.submitted_by = uow.clock.now(), command.principal.sub
    for milestone in plan_milestones(uow, programme, year):
        # A correction finds the milestone handed in already; it stays so.
        if domain.may_move("milestone", milestone.status, "submitted"):
            move_milestone(uow, programme, milestone, "submitted")
    uow.session.flush()
    return evaluation


def confirm_evaluation(uow: UnitOfWork, command: ConfirmEvaluation) -> Evaluation:
    """The assessor may correct any self-assessed score; the index uses the cohort's weights as they are
    now, kept with the evaluation so a later change of weights does not rewrite a confirmed result."""
    programme = get_programme(uow, command.programme_id, command.principal)
    year = evaluation_year(programme, command.year)
    evaluation = uow.session.get(Evaluation, (programme.id, year), with_for_update=True)
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
    milestones = plan_milestones(uow, programme, year)
    for milestone in milestones:
        if domain.may_move("milestone", milestone.status, "accepted"):
            move_milestone(uow, programme, milestone, "accepted")
    uow.session.flush()
    if milestones:
        advance_programme(uow, programme)
    return evaluation
