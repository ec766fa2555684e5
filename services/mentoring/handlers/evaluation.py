"""Monev: the region's self-assessment with evidence per dimension, confirmed by an assessor into an
achievement index weighted by the cohort's weights."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.mentoring import domain
from services.mentoring.handlers.deliverables import advance_programme
from services.mentoring.handlers.plans import weights_for_cohort
from services.mentoring.handlers.programmes import get_programme, milestone_deadline_id
from services.mentoring.orm import Evaluation, Milestone
from shared import events
from shared.auth import Principal
from shared.errors import Conflict, NotFound
from shared.uow import UnitOfWork


def _evaluation_milestones(uow: UnitOfWork, programme_id: str) -> list[Milestone]:
    return list(
        uow.session.scalars(
            select(Milestone).where(Milestone.programme_id == programme_id, Milestone.kind == "evaluation")
        )
    )


def self_assess(
    uow: UnitOfWork, programme_id: str, principal: Principal, dimensions: dict[str, dict[str, Any]]
) -> Evaluation:
    """Hand in (or correct, until it is confirmed) a score and its evidence for every weighted dimension."""
    programme = get_programme(uow, programme_id, principal)
    weights = weights_for_cohort(uow, programme.cohort_year)
    domain.check_dimensions(weights, {d: float(v["score"]) for d, v in dimensions.items()}, "dimensions")
    evaluation = uow.session.get(Evaluation, programme.id)
    if evaluation is not None and evaluation.status == "confirmed":
        raise Conflict("the evaluation is already confirmed", current_state=evaluation.status)
    if evaluation is None:
        evaluation = Evaluation(programme_id=programme.id, status="self_assessed", self_assessment={})
        uow.session.add(evaluation)
    evaluation.self_assessment = dimensions
    evaluation.submitted_at, evaluation.submitted_by = uow.clock.now(), principal.sub
    for milestone in _evaluation_milestones(uow, programme.id):
        if milestone.status != "accepted":
            milestone.status = "submitted"
    uow.session.flush()
    return evaluation


def confirm(
    uow: UnitOfWork,
    programme_id: str,
    principal: Principal,
    scores: dict[str, float] | None,
    comments: str | None,
) -> Evaluation:
    """The assessor may correct any self-assessed score; the index uses the cohort's weights as they are
    now, kept with the evaluation so a later change of weights does not rewrite a confirmed result."""
    programme = get_programme(uow, programme_id, principal)
    evaluation = uow.session.get(Evaluation, programme.id)
    if evaluation is None:
        raise Conflict("the region has not handed in its self-assessment yet", current_state="missing")
    if evaluation.status == "confirmed":
        raise Conflict("the evaluation is already confirmed", current_state=evaluation.status)
    weights = weights_for_cohort(uow, programme.cohort_year)
    confirmed = {d: float(v["score"]) for d, v in evaluation.self_assessment.items()} | (scores or {})
    domain.check_dimensions(weights, confirmed, "scores")
    evaluation.achievement_index = domain.achievement_index(weights, confirmed)
    evaluation.confirmed_scores, evaluation.weights = confirmed, weights
    evaluation.assessor_comments = comments
    evaluation.status = "confirmed"
    evaluation.confirmed_at, evaluation.confirmed_by = uow.clock.now(), principal.sub
    for milestone in _evaluation_milestones(uow, programme.id):
        if milestone.status != "accepted":
            milestone.status = "accepted"
            uow.record(
                "deadline.cleared",
                programme.region_code,
                events.DeadlineClearedV1(
                    deadline_id=milestone_deadline_id(milestone.id), region_code=programme.region_code, reason="met"
                ),
            )
    uow.session.flush()
    advance_programme(uow, programme)
    return evaluation


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
