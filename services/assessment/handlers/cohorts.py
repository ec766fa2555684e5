"""Cohort, application and scoring use cases: each loads, applies the domain rules, saves and records events."""

from __future__ import annotations

import json
import uuid
from importlib import resources
from typing import Any

from sqlalchemy import func, select

from services.assessment import domain
from services.assessment.handlers.cohort_deadlines import (
    answers_of,
    assessment_open,
    clear_deadline,
    clear_open_deadlines,
    self_assessment_open,
    set_assessment_deadline,
    set_self_assessment_deadline,
)
from services.assessment.handlers.regions import get_region
from services.assessment.orm import Application, Cohort, Region, Score
from services.assessment.schemas import AnswerIn, CohortChangeIn, CohortIn
from shared import events
from shared.auth import Principal, check_region
from shared.errors import Conflict, Invalid, NotFound
from shared.uow import UnitOfWork


def default_rubric() -> list[dict[str, Any]]:
    raw = resources.files("services.assessment").joinpath("data/default_rubric.json").read_text("utf-8")
    return json.loads(raw)["criteria"]


# --- cohorts -------------------------------------------------------------------------------


def create_cohort(uow: UnitOfWork, data: CohortIn) -> Cohort:
    if uow.session.get(Cohort, data.year) is not None:
        raise Conflict(f"cohort {data.year} already exists", field="year")
    if not data.applications_open_at < data.applications_close_at <= data.assessment_due_at:
        raise Invalid(
            "dates must run applications_open_at < applications_close_at <= assessment_due_at",
            field="applications_close_at",
        )
    for group in domain.QUOTA_GROUPS:
        if data.quotas.get(group, 0) < 0:
            raise Invalid(f"quota for {group} may not be negative", field=f"quotas.{group}")
    rubric = [c.model_dump() for c in data.rubric] if data.rubric else default_rubric()
    domain.Rubric.from_data(rubric)
    cohort = Cohort(
        year=data.year,
        quota_provinsi=data.quotas.get("provinsi", 0),
        quota_kabkota=data.quotas.get("kabkota", 0),
        applications_open_at=data.applications_open_at,
        applications_close_at=data.applications_close_at,
        assessment_due_at=data.assessment_due_at,
        rubric=rubric,
        status="open",
        created_at=uow.clock.now(),
    )
    uow.session.add(cohort)
    uow.commit()
    return cohort


def change_cohort(uow: UnitOfWork, year: int, data: CohortChangeIn) -> Cohort:
    """Move an open cohort's window end, assessment deadline or quotas. The regions that applied are
    told of a moved date through deadline.set, so their reminders follow the new schedule."""
    cohort = get_cohort(uow, year, lock=True)
    if cohort.status != "open":
        raise Conflict(
            f"cohort {year} is {cohort.status}; its dates and quotas are settled", current_state=cohort.status
        )
    close_at = data.applications_close_at or cohort.applications_close_at
    due_at = data.assessment_due_at or cohort.assessment_due_at
    if not cohort.applications_open_at < close_at <= due_at:
        raise Invalid(
            "dates must run applications_open_at < applications_close_at <= assessment_due_at",
            field="applications_close_at" if data.applications_close_at else "assessment_due_at",
        )
    for group, quota in (data.quotas or {}).items():
        if quota < 0:
            raise Invalid(f"quota for {group} may not be negative", field=f"quotas.{group}")
    if data.quotas:
        cohort.quota_provinsi = data.quotas.get("provinsi", cohort.quota_provinsi)
        cohort.quota_kabkota = data.quotas.get("kabkota", cohort.quota_kabkota)
    close_moved, due_moved = close_at != cohort.applications_close_at, due_at != cohort.assessment_due_at
    cohort.applications_close_at, cohort.assessment_due_at = close_at, due_at
    if close_moved or due_moved:
        rubric = rubric_of(cohort)
        for application, region in list_applications(uow, year):
            if close_moved and self_assessment_open(application, rubric):
                set_self_assessment_deadline(uow, cohort, region)
            if due_moved and assessment_open(application):
                set_assessment_deadline(uow, cohort, region)
    uow.commit()
    return cohort


def get_cohort(uow: UnitOfWork, year: int, *, lock: bool = False) -> Cohort:
    cohort = uow.session.get(Cohort, year, with_for_update=lock)
    if cohort is None:
        raise NotFound(f"no cohort for year {year}", field="year")
    return cohort


def list_cohorts(uow: UnitOfWork) -> list[Cohort]:
    return list(uow.session.scalars(select(Cohort).order_by(Cohort.year.desc())))


def count_applications(uow: UnitOfWork, year: int) -> int:
    return uow.session.scalar(select(func.count()).select_from(Application).where(Application.cohort_year == year))


def quotas(cohort: Cohort) -> dict[str, int]:
    return {"provinsi": cohort.quota_provinsi, "kabkota": cohort.quota_kabkota}


def rubric_of(cohort: Cohort) -> domain.Rubric:
    return domain.Rubric.from_data(cohort.rubric)


# --- applications --------------------------------------------------------------------------


def _checked_answers(rubric: domain.Rubric, answers: dict[str, AnswerIn]) -> dict[str, dict[str, Any]]:
    stored = {key: answer.model_dump(mode="json") for key, answer in answers.items()}
    domain.check_answers(
        rubric, [domain.Answer(k, v["score"], v["narrative"], tuple(v["evidence"])) for k, v in stored.items()]
    )
    return stored


def submit_application(
    uow: UnitOfWork, year: int, region_code: str, answers: dict[str, AnswerIn], principal: Principal
) -> Application:
    """A region applies (its own token, or an operator for it); the self-assessment may follow until the
    window closes, and the region is reminded of it while it is incomplete."""
    check_region(principal, region_code)
    cohort = get_cohort(uow, year)
    region = get_region(uow, region_code)
    if cohort.status != "open":
        raise Conflict(f"cohort {year} is {cohort.status}; it takes no more applications", rule="cohort_status")
    domain.check_application_window(uow.clock.now(), cohort.applications_open_at, cohort.applications_close_at)
    existing = uow.session.scalar(
        select(Application).where(Application.cohort_year == year, Application.region_code == region_code)
    )
    if existing is not None:
        raise Conflict(
            f"region {region_code} already applied to cohort {year} (application {existing.id}, {existing.status})",
            rule="one_application_per_region",
            field="region_code",
            application_id=existing.id,
        )
    rubric = rubric_of(cohort)
    application = Application(
        id=str(uuid.uuid4()),
        cohort_year=year,
        region_code=region_code,
        status="submitted",
        answers=_checked_answers(rubric, answers),
        submitted_at=uow.clock.now(),
        submitted_by=principal.sub,
    )
    uow.session.add(application)
    uow.record(
        "assessment.application_submitted",
        region_code,
        events.ApplicationSubmittedV1(cohort_year=year, region_code=region_code, application_id=application.id),
    )
    if self_assessment_open(application, rubric):
        set_self_assessment_deadline(uow, cohort, region)
    set_assessment_deadline(uow, cohort, region)
    uow.commit()
    return application


def update_answers(
    uow: UnitOfWork, application_id: str, answers: dict[str, AnswerIn], principal: Principal
) -> Application:
    """Merge answers into the self-assessment while the window is open; a criterion sent replaces its answer."""
    # Locked like scoring, so answers and a first score never cross.
    application, cohort = _locked(uow, get_application(uow, application_id, principal))
    domain.check_answers_editable(application.status, uow.clock.now(), cohort.applications_close_at)
    rubric = rubric_of(cohort)
    was_open = self_assessment_open(application, rubric)
    application.answers = {**(application.answers or {}), **_checked_answers(rubric, answers)}
    now_open = self_assessment_open(application, rubric)
    code = application.region_code
    if was_open and not now_open:
        clear_deadline(uow, code, domain.self_assessment_deadline_id(cohort.year, code), "met")
    elif now_open and not was_open:
        set_self_assessment_deadline(uow, cohort, get_region(uow, code))
    uow.commit()
    return application


def withdraw_application(uow: UnitOfWork, application_id: str, reason: str, principal: Principal) -> Application:
    """A region may step back until selection; its reminders end and the ranking no longer counts it."""
    application, cohort = _locked(uow, get_application(uow, application_id, principal))
    domain.check_withdrawable(application.status)
    clear_open_deadlines(uow, application, rubric_of(cohort), "cancelled")
    application.status = "withdrawn"
    application.withdrawn_at = uow.clock.now()
    application.withdrawal_reason = reason
    uow.record(
        "assessment.application_withdrawn",
        application.region_code,
        events.ApplicationWithdrawnV1(
            cohort_year=application.cohort_year,
            region_code=application.region_code,
            application_id=application.id,
            reason=reason,
        ),
    )
    uow.commit()
    return application


def list_applications(uow: UnitOfWork, year: int, status: str | None = None) -> list[tuple[Application, Region]]:
    get_cohort(uow, year)
    query = (
        select(Application, Region)
        .join(Region, Region.code == Application.region_code)
        .where(Application.cohort_year == year)
        .order_by(Application.submitted_at, Application.region_code)
    )
    if status:
        query = query.where(Application.status == status)
    return [(a, r) for a, r in uow.session.execute(query)]


def get_application(uow: UnitOfWork, application_id: str, principal: Principal | None = None) -> Application:
    application = uow.session.get(Application, application_id)
    if application is None:
        raise NotFound(f"no application with id {application_id!r}", field="application_id")
    if principal is not None:
        check_region(principal, application.region_code)
    return application


def _locked(uow: UnitOfWork, application: Application) -> tuple[Application, Cohort]:
    """Lock the application's cohort, then re-read the application: selection holds the same lock, and
    scoring or withdrawing from a copy read before it would undo or skew an outcome already published."""
    cohort = get_cohort(uow, application.cohort_year, lock=True)
    uow.session.refresh(application)
    return application, cohort


def unanswered_criteria(uow: UnitOfWork, application: Application) -> list[str]:
    return domain.unanswered(rubric_of(get_cohort(uow, application.cohort_year)), answers_of(application))


# --- scores --------------------------------------------------------------------------------


def score_sheets(uow: UnitOfWork, application_id: str) -> dict[str, dict[str, Any]]:
    sheets: dict[str, dict[str, Any]] = {}
    for score in uow.session.scalars(
        select(Score).where(Score.application_id == application_id).order_by(Score.assessor, Score.criterion)
    ):
        sheet = sheets.setdefault(score.assessor, {"scores": {}, "scored_at": score.scored_at})
        sheet["scores"][score.criterion] = score.value
        sheet["scored_at"] = max(sheet["scored_at"], score.scored_at)
    return sheets


def record_scores(uow: UnitOfWork, application_id: str, scores: dict[str, float], principal: Principal) -> Application:
    """An assessor's sheet (partial allowed); once every criterion has a score the application is scored."""
    # Locked so that two sheets arriving together are combined with each other, not each alone.
    application, cohort = _locked(uow, get_application(uow, application_id))
    if application.status not in ("submitted", "under_assessment", "scored"):
        raise Conflict(
            f"an application that is {application.status} cannot be scored",
            rule="state",
            current_state=application.status,
        )
    rubric = rubric_of(cohort)
    rubric.check_scores(scores)
    code = application.region_code
    if self_assessment_open(application, rubric):
        # Assessment has begun: the self-assessment is frozen as it is, so stop reminding.
        clear_deadline(uow, code, domain.self_assessment_deadline_id(cohort.year, code), "cancelled")
    was_open = assessment_open(application)
    now = uow.clock.now()
    existing = {
        s.criterion: s
        for s in uow.session.scalars(
            select(Score).where(Score.application_id == application_id, Score.assessor == principal.sub)
        )
    }
    for criterion, value in scores.items():
        if criterion in existing:
            existing[criterion].value = value
            existing[criterion].scored_at = now
        else:
            uow.session.add(
                Score(
                    application_id=application_id,
                    assessor=principal.sub,
                    criterion=criterion,
                    value=value,
                    scored_at=now,
                )
            )
    uow.session.flush()
    combined = domain.combine_assessors(sheet["scores"] for sheet in score_sheets(uow, application_id).values())
    if rubric.missing(combined):
        application.status = "under_assessment"
        application.total = None
    else:
        application.status = "scored"
        application.total = rubric.weighted_total(combined)
        if was_open:
            clear_deadline(uow, code, domain.assessment_deadline_id(cohort.year, code), "met")
        uow.record(
            "assessment.region_scored",
            code,
            events.RegionScoredV1(
                cohort_year=application.cohort_year,
                region_code=code,
                application_id=application.id,
                total=application.total,
            ),
        )
    uow.commit()
    return application


def scores_view(uow: UnitOfWork, application_id: str) -> dict[str, Any]:
    application = get_application(uow, application_id)
    rubric = rubric_of(get_cohort(uow, application.cohort_year))
    sheets = score_sheets(uow, application_id)
    combined = domain.combine_assessors(sheet["scores"] for sheet in sheets.values())
    return {
        "application_id": application.id,
        "status": application.status,
        "sheets": [{"assessor": who, **sheet} for who, sheet in sheets.items()],
        "combined": combined,
        "missing": rubric.missing(combined),
        "total": application.total,
    }
