"""Ranking and selection use cases: rank per kind, fill the quotas, finalise the cohort exactly once."""

from __future__ import annotations

from typing import Any

from services.assessment import domain
from services.assessment.handlers.cohort_deadlines import clear_open_deadlines
from services.assessment.handlers.cohorts import get_cohort, list_applications, quotas, rubric_of
from services.assessment.orm import Application, Cohort, Region
from shared import events
from shared.uow import UnitOfWork


def _candidates(
    rows: list[tuple[Application, Region]],
) -> tuple[list[domain.Candidate], list[Application], dict[str, Region]]:
    regions = {r.code: r for _, r in rows}
    candidates, unscored = [], []
    for application, region in rows:
        if application.status == "withdrawn":
            continue
        if application.total is None:
            unscored.append(application)
            continue
        candidates.append(
            domain.Candidate(application.id, region.code, region.kind, application.total, application.submitted_at)
        )
    return candidates, unscored, regions


def run_selection(uow: UnitOfWork, year: int, *, force: bool, reason: str | None) -> Cohort:
    """Rank, fill the quotas and finalise the cohort. A finalised cohort is returned as it is:
    running selection again publishes nothing. The cohort row is locked so two operators pressing
    the button at once still finalise it once."""
    cohort = get_cohort(uow, year, lock=True)
    if cohort.status == "finalized":
        return cohort
    rows = list_applications(uow, year)
    candidates, unscored, regions = _candidates(rows)
    domain.check_selectable(domain.Readiness(tuple(a.region_code for a in unscored)), force=force, reason=reason)
    rubric = rubric_of(cohort)
    applications = {a.id: a for a, _ in rows}
    selected, not_selected = [], []
    for placement in domain.rank_and_select(candidates, quotas(cohort)):
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
            _record_not_selected(uow, year, region, placement.rank, candidate.total)
    for application in unscored:
        # Only reachable when an operator forced selection: an unscored region cannot be selected.
        region = regions[application.region_code]
        clear_open_deadlines(uow, application, rubric, "cancelled")
        application.status = "not_selected"
        application.selected = False
        not_selected.append(region.code)
        _record_not_selected(uow, year, region, 0, 0.0)
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


def _record_not_selected(uow: UnitOfWork, year: int, region: Region, rank: int, total: float) -> None:
    uow.record(
        "assessment.region_not_selected",
        region.code,
        events.RegionNotSelectedV1(
            cohort_year=year,
            region_code=region.code,
            region_name=region.name,
            region_kind=region.kind,
            rank=rank,
            total=total,
            timezone=region.timezone,
        ),
    )


def ranking(uow: UnitOfWork, year: int) -> dict[str, Any]:
    """The ranking as selection sees it now; after finalisation, the recorded ranks and outcome."""
    cohort = get_cohort(uow, year)
    rows = list_applications(uow, year)
    candidates, unscored, regions = _candidates(rows)
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
        "unscored": sorted(a.region_code for a in unscored),
        "forced_reason": cohort.forced_reason,
    }
