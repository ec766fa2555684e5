"""Scoring: an assessor's sheet, combined with the others' into the application's weighted total."""

from __future__ import annotations

from sqlalchemy import select

from services.assessment import commands, domain
from services.assessment.handlers import deadlines
from services.assessment.orm import Application, Score
from services.assessment.repository import (
    get_application,
    get_region,
    locked_application,
    rubric_of,
    score_sheets,
    snapshot,
)
from shared import events
from shared.uow import UnitOfWork


def record_scores(uow: UnitOfWork, command: commands.RecordScores) -> Application:
    """Partial sheets are allowed; once every criterion has a score the application is scored. The first
    score freezes the self-assessment as it is, so its reminders stop."""
    # Locked so that two sheets arriving together are combined with each other, not each alone.
    application, cohort = locked_application(uow, get_application(uow, command.application_id))
    domain.check_scorable(application.status)
    rubric = rubric_of(cohort)
    rubric.check_scores(command.scores)
    before = snapshot(application, rubric)
    now = uow.clock.now()
    existing = {
        s.criterion: s
        for s in uow.session.scalars(
            select(Score).where(Score.application_id == application.id, Score.assessor == command.actor.sub)
        )
    }
    for criterion, value in command.scores.items():
        if criterion in existing:
            existing[criterion].value = value
            existing[criterion].scored_at = now
        else:
            uow.session.add(
                Score(
                    application_id=application.id,
                    assessor=command.actor.sub,
                    criterion=criterion,
                    value=value,
                    scored_at=now,
                )
            )
    uow.session.flush()
    combined = domain.combine_assessors(sheet["scores"] for sheet in score_sheets(uow, application.id).values())
    target = domain.scored_state(len(rubric.missing(combined)))
    domain.check_application_move(application.status, target, "be scored")
    application.status = target
    application.total = rubric.weighted_total(combined) if target == "scored" else None
    region = get_region(uow, application.region_code)
    deadlines.apply(uow, cohort, region, domain.deadline_changes(before, snapshot(application, rubric)))
    if target == "scored":
        uow.record(
            "assessment.region_scored",
            region.code,
            events.RegionScoredV1(
                cohort_year=application.cohort_year,
                region_code=region.code,
                application_id=application.id,
                total=application.total,
            ),
        )
    uow.session.flush()
    return application
