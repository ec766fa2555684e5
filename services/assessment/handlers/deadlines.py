"""The deadlines a cohort sets for the regions that applied, announced for notifications to remind."""

from __future__ import annotations

from collections.abc import Iterable

from services.assessment import domain
from services.assessment.orm import Cohort, Region
from shared import events
from shared.deadlines import DeadlineSpec, clear_deadline, set_deadline
from shared.indonesian import PROGRAMME_NAME
from shared.uow import UnitOfWork


def deadline_id(kind: str, cohort_year: int, region_code: str) -> str:
    if kind == domain.SELF_ASSESSMENT:
        return events.self_assessment_deadline_id(cohort_year, region_code)
    return events.assessment_deadline_id(cohort_year, region_code)


def announce(uow: UnitOfWork, cohort: Cohort, region: Region, kind: str) -> None:
    """Publish (or publish again, after a move) one of the region's cohort deadlines."""
    if kind == domain.SELF_ASSESSMENT:
        title = f"Lengkapi penilaian mandiri dan bukti dukung {PROGRAMME_NAME} {cohort.year}"
        due_at, audience = cohort.applications_close_at, domain.SELF_ASSESSMENT_AUDIENCE
    else:
        title = f"Penilaian {PROGRAMME_NAME} {cohort.year}: verifikasi dan klarifikasi bukti dukung"
        due_at, audience = cohort.assessment_due_at, domain.ASSESSMENT_AUDIENCE
    set_deadline(
        uow,
        DeadlineSpec(
            deadline_id=deadline_id(kind, cohort.year, region.code),
            region_code=region.code,
            region_name=region.name,
            timezone=region.timezone,
            kind=kind,
            title=title,
            due_at=due_at,
            audience=audience,
        ),
    )


def apply(uow: UnitOfWork, cohort: Cohort, region: Region, changes: Iterable[domain.DeadlineChange]) -> None:
    """Publish what the domain says a move opened or closed."""
    for change in changes:
        if change.action == "set":
            announce(uow, cohort, region, change.kind)
        else:
            assert change.reason is not None  # the domain gives every clearing its reason
            clear_deadline(uow, deadline_id(change.kind, cohort.year, region.code), region.code, change.reason)
