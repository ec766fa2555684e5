"""Assessment use cases: each loads, applies the domain rules, saves and records events in one unit of work."""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from services.assessment import domain
from services.assessment.orm import Application, Cohort, Official, Region, Score
from services.assessment.schemas import CohortIn, OfficialIn, RegionIn
from shared import events
from shared.auth import Principal, check_region
from shared.clock import local_date
from shared.errors import Conflict, Invalid, NotFound
from shared.uow import UnitOfWork


def default_rubric() -> list[dict[str, Any]]:
    raw = resources.files("services.assessment").joinpath("data/default_rubric.json").read_text("utf-8")
    return json.loads(raw)["criteria"]


def bundled_regions_csv() -> Path:
    return Path(str(resources.files("services.assessment").joinpath("data/regions_id.csv")))


# --- regions -------------------------------------------------------------------------------


def _get_region(uow: UnitOfWork, code: str) -> Region:
    region = uow.session.get(Region, code)
    if region is None:
        raise NotFound(f"no region with code {code!r}; import the register with `cerdas regions import`")
    return region


def upsert_regions(uow: UnitOfWork, regions: Iterable[RegionIn]) -> dict[str, int]:
    """Create or update regions by code, all or nothing; provinces are checked before their kab/kota."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    items = sorted(regions, key=lambda r: (r.kind != "provinsi", r.code))
    seen: set[str] = set()
    now = uow.clock.now()
    for index, item in enumerate(items):
        try:
            domain.check_region_code(item.code, item.kind, item.province_code)
        except Invalid as exc:
            raise Invalid(f"region {item.code}: {exc.detail}", field=f"regions[{index}].code") from None
        if item.code in seen:
            raise Invalid(f"region {item.code} appears twice", field=f"regions[{index}].code")
        seen.add(item.code)
        if (
            item.province_code
            and item.province_code not in seen
            and uow.session.get(Region, item.province_code) is None
        ):
            raise Invalid(
                f"region {item.code}: parent province {item.province_code} is not registered",
                field=f"regions[{index}].province_code",
            )
        existing = uow.session.get(Region, item.code)
        values = item.model_dump()
        if existing is None:
            uow.session.add(Region(**values, created_at=now, updated_at=now))
            counts["created"] += 1
        elif any(getattr(existing, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(existing, key, value)
            existing.updated_at = now
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
        uow.session.flush()
    uow.commit()
    return counts


def read_regions_csv(path: Path) -> list[RegionIn]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        expected = {"code", "name", "kind", "province_code", "timezone"}
        if not reader.fieldnames or not expected <= set(reader.fieldnames):
            raise Invalid(f"{path}: the header must name the columns {', '.join(sorted(expected))}", field="csv")
        rows = []
        for line, row in enumerate(reader, start=2):
            try:
                rows.append(
                    RegionIn(
                        code=row["code"],
                        name=row["name"],
                        kind=row["kind"],
                        province_code=row["province_code"] or None,
                        timezone=row["timezone"],
                    )
                )
            except ValueError as exc:
                raise Invalid(f"{path}, line {line}: {exc}", field=f"line {line}") from None
    return rows


def list_regions(uow: UnitOfWork, kind: str | None, province: str | None, q: str | None) -> list[Region]:
    query = select(Region).order_by(Region.code)
    if kind == "kabkota":
        query = query.where(Region.kind.in_(("kabupaten", "kota")))
    elif kind:
        query = query.where(Region.kind == kind)
    if province:
        query = query.where((Region.province_code == province) | (Region.code == province))
    if q:
        query = query.where(func.lower(Region.name).contains(q.lower()))
    return list(uow.session.scalars(query))


def get_region(uow: UnitOfWork, code: str) -> Region:
    return _get_region(uow, code)


# --- officials -----------------------------------------------------------------------------


def _same(official: Official, item: OfficialIn) -> bool:
    return (official.name, official.title, official.position, official.email, official.acting) == (
        item.name,
        item.title,
        item.position,
        str(item.email),
        item.acting,
    )


def replace_officials(uow: UnitOfWork, code: str, items: list[OfficialIn], principal: Principal) -> list[Official]:
    """The body is the region's whole current line-up: changed roles get a new holder (the old one's
    term ends today, kept as history) and roles left out end."""
    region = _get_region(uow, code)
    roles = [item.role for item in items]
    duplicates = sorted({role for role in roles if roles.count(role) > 1})
    if duplicates:
        raise Invalid(f"each role may appear once; repeated: {', '.join(duplicates)}", field="officials")
    today = local_date(uow.clock.now(), region.timezone)
    current = {
        official.role: official
        for official in uow.session.scalars(
            select(Official).where(Official.region_code == code, Official.valid_until.is_(None))
        )
    }
    changed: list[str] = []
    wanted = {item.role: item for item in items}
    for role, official in current.items():
        if role not in wanted or not _same(official, wanted[role]):
            official.valid_until = today
            changed.append(role)
    for role, item in wanted.items():
        if role in current and _same(current[role], item):
            continue
        uow.session.add(
            Official(
                region_code=code,
                role=role,
                name=item.name,
                title=item.title,
                position=item.position,
                email=str(item.email),
                acting=item.acting,
                valid_from=item.valid_from or today,
                recorded_at=uow.clock.now(),
                recorded_by=principal.sub,
            )
        )
        if role not in changed:
            changed.append(role)
    if changed:
        uow.record(
            "assessment.officials_changed",
            code,
            events.OfficialsChangedV1(region_code=code, roles=sorted(changed)),
        )
    uow.session.flush()
    result = current_officials(uow, code, None)
    uow.commit()
    return result


def current_officials(uow: UnitOfWork, code: str, role: str | None, history: bool = False) -> list[Official]:
    _get_region(uow, code)
    query = select(Official).where(Official.region_code == code)
    if not history:
        query = query.where(Official.valid_until.is_(None))
    if role:
        query = query.where(Official.role == role)
    seniority = {role: index for index, role in enumerate(domain.OFFICIAL_ROLES)}
    officials = list(uow.session.scalars(query.order_by(Official.valid_from, Official.id)))
    return sorted(officials, key=lambda o: (seniority.get(o.role, len(seniority)), o.role, o.valid_from))


# --- cohorts -------------------------------------------------------------------------------


def create_cohort(uow: UnitOfWork, data: CohortIn) -> Cohort:
    if uow.session.get(Cohort, data.year) is not None:
        raise Conflict(f"cohort {data.year} already exists")
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


def get_cohort(uow: UnitOfWork, year: int) -> Cohort:
    cohort = uow.session.get(Cohort, year)
    if cohort is None:
        raise NotFound(f"no cohort for year {year}")
    return cohort


def count_applications(uow: UnitOfWork, year: int) -> int:
    return uow.session.scalar(select(func.count()).select_from(Application).where(Application.cohort_year == year))


def quotas(cohort: Cohort) -> dict[str, int]:
    return {"provinsi": cohort.quota_provinsi, "kabkota": cohort.quota_kabkota}


# --- applications and scores ----------------------------------------------------------------


def submit_application(
    uow: UnitOfWork, year: int, region_code: str, answers: dict[str, Any], principal: Principal
) -> Application:
    cohort = get_cohort(uow, year)
    check_region(principal, region_code)
    _get_region(uow, region_code)
    if cohort.status != "open":
        raise Conflict(f"cohort {year} is {cohort.status}; it takes no more applications")
    domain.check_application_window(uow.clock.now(), cohort.applications_open_at, cohort.applications_close_at)
    existing = uow.session.scalar(
        select(Application).where(Application.cohort_year == year, Application.region_code == region_code)
    )
    if existing is not None:
        raise Conflict(f"region {region_code} already applied to cohort {year}", application_id=existing.id)
    application = Application(
        id=str(uuid.uuid4()),
        cohort_year=year,
        region_code=region_code,
        status="submitted",
        answers=answers,
        submitted_at=uow.clock.now(),
        submitted_by=principal.sub,
    )
    uow.session.add(application)
    uow.record(
        "assessment.application_submitted",
        region_code,
        events.ApplicationSubmittedV1(cohort_year=year, region_code=region_code, application_id=application.id),
    )
    uow.commit()
    return application


def list_applications(uow: UnitOfWork, year: int) -> list[tuple[Application, Region]]:
    get_cohort(uow, year)
    rows = uow.session.execute(
        select(Application, Region)
        .join(Region, Region.code == Application.region_code)
        .where(Application.cohort_year == year)
        .order_by(Application.submitted_at, Application.region_code)
    )
    return [(a, r) for a, r in rows]


def _get_application(uow: UnitOfWork, application_id: str) -> Application:
    application = uow.session.get(Application, application_id)
    if application is None:
        raise NotFound(f"no application with id {application_id!r}")
    return application


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
    application = _get_application(uow, application_id)
    cohort = get_cohort(uow, application.cohort_year)
    if application.status not in ("submitted", "under_assessment", "scored"):
        raise Conflict(
            f"an application that is {application.status} cannot be scored", current_state=application.status
        )
    rubric = domain.Rubric.from_data(cohort.rubric)
    rubric.check_scores(scores)
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
        uow.record(
            "assessment.region_scored",
            application.region_code,
            events.RegionScoredV1(
                cohort_year=application.cohort_year,
                region_code=application.region_code,
                application_id=application.id,
                total=application.total,
            ),
        )
    uow.commit()
    return application


def scores_view(uow: UnitOfWork, application_id: str) -> dict[str, Any]:
    application = _get_application(uow, application_id)
    cohort = get_cohort(uow, application.cohort_year)
    rubric = domain.Rubric.from_data(cohort.rubric)
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


# --- selection -----------------------------------------------------------------------------


def _candidates(uow: UnitOfWork, year: int) -> tuple[list[domain.Candidate], list[str], dict[str, Region]]:
    rows = list_applications(uow, year)
    regions = {r.code: r for _, r in rows}
    candidates, unscored = [], []
    for application, region in rows:
        if application.status == "withdrawn":
            continue
        if application.total is None:
            unscored.append(region.code)
            continue
        candidates.append(
            domain.Candidate(application.id, region.code, region.kind, application.total, application.submitted_at)
        )
    return candidates, unscored, regions


def run_selection(uow: UnitOfWork, year: int, *, force: bool, reason: str | None) -> Cohort:
    """Rank, fill the quotas and finalise the cohort. A finalised cohort is returned as it is:
    running selection again publishes nothing."""
    cohort = get_cohort(uow, year)
    if cohort.status == "finalized":
        return cohort
    candidates, unscored, regions = _candidates(uow, year)
    domain.check_selectable(domain.Readiness(tuple(unscored)), force=force, reason=reason)
    placements = domain.rank_and_select(candidates, quotas(cohort))
    applications = {a.id: a for a, _ in list_applications(uow, year)}
    selected, not_selected = [], []
    for placement in placements:
        candidate = placement.candidate
        application = applications[candidate.application_id]
        region = regions[candidate.region_code]
        application.rank = placement.rank
        application.selected = placement.selected
        application.status = "selected" if placement.selected else "not_selected"
        if placement.selected:
            selected.append(region.code)
            uow.record(
                "assessment.region_selected",
                region.code,
                events.RegionSelectedV1(
                    cohort_year=year,
                    region_code=region.code,
                    region_name=region.name,
                    region_kind=region.kind,
                    timezone=region.timezone,
                    rank=placement.rank,
                    total=candidate.total,
                ),
            )
        else:
            not_selected.append(region.code)
            uow.record(
                "assessment.region_not_selected",
                region.code,
                events.RegionNotSelectedV1(
                    cohort_year=year,
                    region_code=region.code,
                    region_name=region.name,
                    region_kind=region.kind,
                    rank=placement.rank,
                    total=candidate.total,
                ),
            )
    for code in unscored:
        application = next(a for a in applications.values() if a.region_code == code)
        application.status = "not_selected"
        application.selected = False
        not_selected.append(code)
        region = regions[code]
        uow.record(
            "assessment.region_not_selected",
            code,
            events.RegionNotSelectedV1(
                cohort_year=year,
                region_code=code,
                region_name=region.name,
                region_kind=region.kind,
                rank=0,
                total=0.0,
            ),
        )
    cohort.status = "finalized"
    cohort.finalized_at = uow.clock.now()
    cohort.forced_reason = reason if unscored else None
    uow.record(
        "assessment.cohort_finalized",
        str(year),
        events.CohortFinalizedV1(cohort_year=year, selected=sorted(selected), not_selected=sorted(not_selected)),
    )
    uow.commit()
    return cohort


def ranking(uow: UnitOfWork, year: int) -> dict[str, Any]:
    cohort = get_cohort(uow, year)
    candidates, _, regions = _candidates(uow, year)
    groups: dict[str, list[dict[str, Any]]] = {group: [] for group in domain.QUOTA_GROUPS}
    for placement in domain.rank_and_select(candidates, quotas(cohort)):
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
    }
