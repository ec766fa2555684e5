"""The deadlines a cohort sets for the regions that applied, published for notifications to remind."""

from __future__ import annotations

from datetime import datetime

from services.assessment import domain
from services.assessment.orm import Application, Cohort, Region
from shared import events
from shared.uow import UnitOfWork


def set_deadline(
    uow: UnitOfWork, region: Region, deadline_id: str, kind: str, title: str, due_at: datetime, audience: tuple
) -> None:
    uow.record(
        "deadline.set",
        region.code,
        events.DeadlineSetV1(
            deadline_id=deadline_id,
            region_code=region.code,
            region_name=region.name,
            timezone=region.timezone,
            kind=kind,
            title=title,
            due_at=due_at,
            audience=list(audience),
        ),
    )


def clear_deadline(uow: UnitOfWork, region_code: str, deadline_id: str, reason: str) -> None:
    uow.record(
        "deadline.cleared",
        region_code,
        events.DeadlineClearedV1(deadline_id=deadline_id, region_code=region_code, reason=reason),
    )


def set_self_assessment_deadline(uow: UnitOfWork, cohort: Cohort, region: Region) -> None:
    set_deadline(
        uow,
        region,
        domain.self_assessment_deadline_id(cohort.year, region.code),
        "self_assessment",
        f"Lengkapi penilaian mandiri dan bukti dukung Gerakan Menuju Smart City {cohort.year}",
        cohort.applications_close_at,
        domain.SELF_ASSESSMENT_AUDIENCE,
    )


def set_assessment_deadline(uow: UnitOfWork, cohort: Cohort, region: Region) -> None:
    set_deadline(
        uow,
        region,
        domain.assessment_deadline_id(cohort.year, region.code),
        "assessment",
        f"Penilaian Gerakan Menuju Smart City {cohort.year}: verifikasi dan klarifikasi bukti dukung",
        cohort.assessment_due_at,
        domain.ASSESSMENT_AUDIENCE,
    )


def answers_of(application: Application) -> list[domain.Answer]:
    return [
        domain.Answer(key, value.get("score"), value.get("narrative"), tuple(value.get("evidence") or ()))
        for key, value in (application.answers or {}).items()
    ]


def self_assessment_open(application: Application, rubric: domain.Rubric) -> bool:
    """The self-assessment deadline is live while the region can still complete its answers."""
    return application.status == "submitted" and bool(domain.unanswered(rubric, answers_of(application)))


def assessment_open(application: Application) -> bool:
    return application.status in ("submitted", "under_assessment")


def clear_open_deadlines(uow: UnitOfWork, application: Application, rubric: domain.Rubric, reason: str) -> None:
    """Withdrawal or finalisation ends whatever the region was still being reminded of."""
    year, code = application.cohort_year, application.region_code
    if self_assessment_open(application, rubric):
        clear_deadline(uow, code, domain.self_assessment_deadline_id(year, code), reason)
    if assessment_open(application):
        clear_deadline(uow, code, domain.assessment_deadline_id(year, code), reason)
