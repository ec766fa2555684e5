"""Loading the assessment service's rows: the lookups its use cases and its read views share."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sqlalchemy import select

from services.assessment import domain
from services.assessment.orm import Application, Cohort, Region, Score
from shared.auth import Principal, check_region
from shared.errors import NotFound
from shared.uow import UnitOfWork


def default_rubric() -> list[dict[str, Any]]:
    raw = resources.files("services.assessment").joinpath("data/default_rubric.json").read_text("utf-8")
    return json.loads(raw)["criteria"]


def get_region(uow: UnitOfWork, code: str, *, lock: bool = False) -> Region:
    region = uow.session.get(Region, code, with_for_update=lock or None)
    if region is None:
        raise NotFound(f"no region with code {code!r}; import the register with `cerdas regions import`")
    return region


def get_cohort(uow: UnitOfWork, year: int, *, lock: bool = False) -> Cohort:
    cohort = uow.session.get(Cohort, year, with_for_update=lock)
    if cohort is None:
        raise NotFound(f"no cohort for year {year}", field="year")
    return cohort


def get_application(uow: UnitOfWork, application_id: str, principal: Principal | None = None) -> Application:
    application = uow.session.get(Application, application_id)
    if application is None:
        raise NotFound(f"no application with id {application_id!r}", field="application_id")
    if principal is not None:
        check_region(principal, application.region_code)
    return application


def locked_application(uow: UnitOfWork, application: Application) -> tuple[Application, Cohort]:
    """Lock the application's cohort, then re-read the application: selection holds the same lock, and
    scoring or withdrawing from a copy read before it would undo or skew an outcome already published."""
    cohort = get_cohort(uow, application.cohort_year, lock=True)
    uow.session.refresh(application)
    return application, cohort


def list_applications(
    uow: UnitOfWork, year: int, status: str | None = None, region: str | None = None
) -> list[tuple[Application, Region]]:
    get_cohort(uow, year)
    query = (
        select(Application, Region)
        .join(Region, Region.code == Application.region_code)
        .where(Application.cohort_year == year)
        .order_by(Application.submitted_at, Application.region_code)
    )
    if status:
        query = query.where(Application.status == status)
    if region:
        query = query.where(Application.region_code == region)
    return [(a, r) for a, r in uow.session.execute(query)]


def score_sheets(uow: UnitOfWork, application_id: str) -> dict[str, dict[str, Any]]:
    sheets: dict[str, dict[str, Any]] = {}
    for score in uow.session.scalars(
        select(Score).where(Score.application_id == application_id).order_by(Score.assessor, Score.criterion)
    ):
        sheet = sheets.setdefault(score.assessor, {"scores": {}, "scored_at": score.scored_at})
        sheet["scores"][score.criterion] = score.value
        sheet["scored_at"] = max(sheet["scored_at"], score.scored_at)
    return sheets


def quotas(cohort: Cohort) -> dict[str, int]:
    return {"provinsi": cohort.quota_provinsi, "kabkota": cohort.quota_kabkota}


def rubric_of(cohort: Cohort) -> domain.Rubric:
    return domain.Rubric.from_data(cohort.rubric)


def answers_of(application: Application) -> list[domain.Answer]:
    return [
        domain.Answer(key, value.get("score"), value.get("narrative"), tuple(value.get("evidence") or ()))
        for key, value in (application.answers or {}).items()
    ]


def snapshot(application: Application, rubric: domain.Rubric) -> domain.ApplicationSnapshot:
    """What the domain needs to know to tell which of the region's deadlines are open."""
    return domain.ApplicationSnapshot(application.status, bool(domain.unanswered(rubric, answers_of(application))))
