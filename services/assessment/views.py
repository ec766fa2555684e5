"""Read-only views of the assessment service: the register, officials, cohorts, scores and the ranking."""

from __future__ import annotations

from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, func, select

from services.assessment import domain
from services.assessment.handlers.selection import candidates
from services.assessment.orm import Application, AuditEntry, Cohort, Official, Region, RegisterRevision
from services.assessment.repository import (
    answers_of,
    get_application,
    get_cohort,
    get_region,
    quotas,
    rubric_of,
    score_sheets,
)
from shared.uow import UnitOfWork


def official_roles(extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The standard roles, most senior first, then any roles configured with CERDAS_EXTRA_OFFICIAL_ROLES."""
    return tuple(dict.fromkeys((*domain.OFFICIAL_ROLES, *extra)))


def list_regions(uow: UnitOfWork, kind: str | None, province: str | None, q: str | None) -> list[Region]:
    return list(uow.session.scalars(_region_filter(select(Region).order_by(Region.code), kind, province, q)))


def _region_filter(query: Select, kind: str | None, province: str | None, q: str | None) -> Select:
    if kind == "kabkota":
        query = query.where(Region.kind.in_(("kabupaten", "kota")))
    elif kind:
        query = query.where(Region.kind == kind)
    if province:
        query = query.where((Region.province_code == province) | (Region.code == province))
    if q:
        query = query.where(func.lower(Region.name).contains(q.lower()))
    return query


def register_revision(uow: UnitOfWork) -> int:
    """How many times the register has changed: a cached copy made at this revision is still current."""
    return uow.session.scalar(select(RegisterRevision.revision).where(RegisterRevision.id == 1)) or 0


def region_rows(uow: UnitOfWork, kind: str | None, province: str | None, q: str | None) -> list[dict[str, Any]]:
    """``list_regions`` as plain dicts, read without building ORM objects: the list is only serialised."""
    table = Region.__table__
    query = select(table.c.code, table.c.name, table.c.kind, table.c.province_code, table.c.timezone)
    query = _region_filter(query.order_by(table.c.code), kind, province, q)
    return [dict(row._mapping) for row in uow.session.execute(query)]


def current_officials(uow: UnitOfWork, code: str, role: str | None, history: bool = False) -> list[Official]:
    get_region(uow, code)
    query = select(Official).where(Official.region_code == code)
    if not history:
        query = query.where(Official.valid_until.is_(None))
    if role:
        query = query.where(Official.role == role)
    seniority = {role: index for index, role in enumerate(domain.OFFICIAL_ROLES)}
    officials = list(uow.session.scalars(query.order_by(Official.valid_from, Official.id)))
    return sorted(officials, key=lambda o: (seniority.get(o.role, len(seniority)), o.role, o.valid_from))


def list_cohorts(uow: UnitOfWork) -> list[Cohort]:
    return list(uow.session.scalars(select(Cohort).order_by(Cohort.year.desc())))


def count_applications(uow: UnitOfWork, year: int) -> int:
    return uow.session.scalar(select(func.count()).select_from(Application).where(Application.cohort_year == year))


def unanswered_criteria(uow: UnitOfWork, application: Application) -> list[str]:
    return domain.unanswered(rubric_of(get_cohort(uow, application.cohort_year)), answers_of(application))


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


def ranking(uow: UnitOfWork, year: int) -> dict[str, Any]:
    """The ranking as selection sees it now; after finalisation, the recorded ranks and outcome."""
    cohort = get_cohort(uow, year)
    ranked, unscored, regions = candidates(_ranking_rows(uow, year))
    groups: dict[str, list[dict[str, Any]]] = {group: [] for group in domain.QUOTA_GROUPS}
    for placement in domain.rank_and_select(ranked, quotas(cohort)):
        region = regions[placement.candidate.region_code]
        groups[placement.group].append(
            {
                "rank": placement.rank,
                "region_code": region.code,
                "region_name": region.name,
                "kind": region.kind,
                "total": placement.candidate.total,
                "selected": placement.selected,
                "tied_with": list(placement.tied_with),
            }
        )
    return {
        "cohort_year": year,
        "status": cohort.status,
        "tie_break": domain.TIE_BREAK_RULE,
        "quotas": quotas(cohort),
        "groups": groups,
        "unscored": sorted(a.region_code for a in unscored),
        "forced_reason": cohort.forced_reason,
    }


def _ranking_rows(uow: UnitOfWork, year: int) -> list[tuple[Any, Any]]:
    """``list_applications`` with only the columns ranking reads: no ORM objects, no answers (the largest
    column, parsed from JSON for nothing)."""
    a, r = Application.__table__.c, Region.__table__.c
    query = (
        select(a.id, a.region_code, a.status, a.total, a.submitted_at, r.name, r.kind)
        .join_from(Application, Region, r.code == a.region_code)
        .where(a.cohort_year == year)
        .order_by(a.submitted_at, a.region_code)
    )
    return [
        (
            SimpleNamespace(
                id=row.id,
                region_code=row.region_code,
                status=row.status,
                total=row.total,
                submitted_at=row.submitted_at,
            ),
            SimpleNamespace(code=row.region_code, name=row.name, kind=row.kind),
        )
        for row in uow.session.execute(query)
    ]


def audit_trail(uow: UnitOfWork, year: int) -> list[AuditEntry]:
    get_cohort(uow, year)
    return list(
        uow.session.scalars(
            select(AuditEntry).where(AuditEntry.cohort_year == year).order_by(AuditEntry.at, AuditEntry.id)
        )
    )
