"""Application use cases: a region applies, completes its self-assessment, or withdraws."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from services.assessment import commands, domain
from services.assessment.handlers import deadlines
from services.assessment.orm import Application
from services.assessment.repository import (
    get_application,
    get_cohort,
    get_region,
    locked_application,
    rubric_of,
    snapshot,
)
from shared import events
from shared.auth import check_region
from shared.errors import Conflict
from shared.uow import UnitOfWork


def _checked_answers(rubric: domain.Rubric, answers: Mapping[str, domain.Answer]) -> dict[str, dict[str, Any]]:
    domain.check_answers(rubric, list(answers.values()))
    return {
        key: {"score": a.score, "narrative": a.narrative, "evidence": list(a.evidence)} for key, a in answers.items()
    }


def submit_application(uow: UnitOfWork, command: commands.SubmitApplication) -> Application:
    """A region applies (its own token, or an operator for it); the self-assessment may follow until the
    window closes, and the region is reminded of it while it is incomplete."""
    year, code = command.cohort_year, command.region_code
    check_region(command.actor, code)
    cohort = get_cohort(uow, year)
    region = get_region(uow, code)
    domain.check_cohort_open(cohort.status, year, "it takes no more applications")
    domain.check_application_window(uow.clock.now(), cohort.applications_open_at, cohort.applications_close_at)
    existing = uow.session.scalar(
        select(Application).where(Application.cohort_year == year, Application.region_code == code)
    )
    if existing is not None:
        raise Conflict(
            f"region {code} already applied to cohort {year} (application {existing.id}, {existing.status})",
            rule="one_application_per_region",
            field="region_code",
            application_id=existing.id,
        )
    rubric = rubric_of(cohort)
    application = Application(
        id=str(uuid.uuid4()),
        cohort_year=year,
        region_code=code,
        status="submitted",
        answers=_checked_answers(rubric, command.answers),
        submitted_at=uow.clock.now(),
        submitted_by=command.actor.sub,
    )
    uow.session.add(application)
    uow.record(
        "assessment.application_submitted",
        code,
        events.ApplicationSubmittedV1(cohort_year=year, region_code=code, application_id=application.id),
    )
    deadlines.apply(uow, cohort, region, domain.deadline_changes(None, snapshot(application, rubric)))
    uow.session.flush()
    return application


def update_answers(uow: UnitOfWork, command: commands.UpdateAnswers) -> Application:
    """Merge answers into the self-assessment while the window is open."""
    # Locked like scoring, so answers and a first score never cross.
    application, cohort = locked_application(uow, get_application(uow, command.application_id, command.actor))
    domain.check_answers_editable(application.status, uow.clock.now(), cohort.applications_close_at)
    rubric = rubric_of(cohort)
    before = snapshot(application, rubric)
    application.answers = {**(application.answers or {}), **_checked_answers(rubric, command.answers)}
    changes = domain.deadline_changes(before, snapshot(application, rubric))
    deadlines.apply(uow, cohort, get_region(uow, application.region_code), changes)
    uow.session.flush()
    return application


def withdraw_application(uow: UnitOfWork, command: commands.WithdrawApplication) -> Application:
    """A region may step back until selection; its reminders end and the ranking no longer counts it."""
    application, cohort = locked_application(uow, get_application(uow, command.application_id, command.actor))
    domain.check_withdrawable(application.status)
    rubric = rubric_of(cohort)
    before = snapshot(application, rubric)
    application.status = "withdrawn"
    application.withdrawn_at = uow.clock.now()
    application.withdrawal_reason = command.reason
    deadlines.apply(
        uow,
        cohort,
        get_region(uow, application.region_code),
        domain.deadline_changes(before, snapshot(application, rubric)),
    )
    uow.record(
        "assessment.application_withdrawn",
        application.region_code,
        events.ApplicationWithdrawnV1(
            cohort_year=application.cohort_year,
            region_code=application.region_code,
            application_id=application.id,
            reason=command.reason,
        ),
    )
    uow.session.flush()
    return application
