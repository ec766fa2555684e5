"""Selection: rank per kind, fill the quotas and finalise the cohort exactly once."""

from __future__ import annotations

from services.assessment import commands, domain
from services.assessment.handlers import deadlines
from services.assessment.handlers.audit import audit
from services.assessment.orm import Application, Cohort, Region
from services.assessment.repository import get_cohort, list_applications, quotas, rubric_of, snapshot
from shared import events
from shared.uow import UnitOfWork


def candidates(
    rows: list[tuple[Application, Region]],
) -> tuple[list[domain.Candidate], list[Application], dict[str, Region]]:
    """The scored applications as selection sees them, the ones still unscored, and their regions."""
    regions = {r.code: r for _, r in rows}
    ranked, unscored = [], []
    for application, region in rows:
        if application.status == "withdrawn":
            continue
        if application.total is None:
            unscored.append(application)
            continue
        ranked.append(
            domain.Candidate(application.id, region.code, region.kind, application.total, application.submitted_at)
        )
    return ranked, unscored, regions


def run_selection(uow: UnitOfWork, command: commands.RunSelection) -> Cohort:
    """A finalised cohort is returned as it is: running selection again publishes nothing. The cohort
    row is locked so two operators pressing the button at once still finalise it once."""
    year = command.cohort_year
    cohort = get_cohort(uow, year, lock=True)
    if cohort.status == "finalized":
        return cohort
    domain.check_cohort_move(cohort.status, "finalized", "be finalised")
    rows = list_applications(uow, year)
    ranked, unscored, regions = candidates(rows)
    ready = domain.readiness((a.region_code for a in unscored), uow.clock.now(), cohort.applications_close_at)
    domain.check_selectable(ready, force=command.force, reason=command.reason)
    rubric = rubric_of(cohort)
    applications = {a.id: a for a, _ in rows}
    selected, not_selected = [], []
    for placement in domain.rank_and_select(ranked, quotas(cohort)):
        candidate = placement.candidate
        application = applications[candidate.application_id]
        region = regions[candidate.region_code]
        target = "selected" if placement.selected else "not_selected"
        domain.check_application_move(application.status, target, "be placed")
        application.rank = placement.rank
        application.selected = placement.selected
        application.status = target
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
        before = snapshot(application, rubric)
        domain.check_application_move(application.status, "not_selected", "be placed")
        application.status = "not_selected"
        application.selected = False
        deadlines.apply(uow, cohort, region, domain.deadline_changes(before, snapshot(application, rubric)))
        not_selected.append(region.code)
        _record_not_selected(uow, year, region, 0, 0.0)
    cohort.status = "finalized"
    cohort.finalized_at = uow.clock.now()
    cohort.forced_reason = command.reason if not ready.ready else None
    audit(
        uow,
        year,
        command.actor,
        "selection",
        forced=not ready.ready,
        reason=cohort.forced_reason,
        unscored=list(ready.unscored),
        window_open_until=ready.window_open_until.isoformat() if ready.window_open_until else None,
        selected=sorted(selected),
        not_selected=sorted(not_selected),
    )
    uow.record(
        "assessment.cohort_finalized",
        str(year),
        events.CohortFinalizedV1(cohort_year=year, selected=sorted(selected), not_selected=sorted(not_selected)),
    )
    uow.session.flush()
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
