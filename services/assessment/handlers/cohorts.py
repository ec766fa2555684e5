"""Cohort use cases: open a yearly cohort with its quotas, window and rubric; move its dates or quotas."""

from __future__ import annotations

from services.assessment import commands, domain
from services.assessment.handlers import deadlines
from services.assessment.handlers.audit import audit
from services.assessment.orm import Cohort
from services.assessment.repository import default_rubric, get_cohort, list_applications, rubric_of, snapshot
from shared.errors import Conflict, Invalid
from shared.uow import UnitOfWork


def _check_quotas(quotas: dict[str, int] | None) -> None:
    for group, quota in (quotas or {}).items():
        if quota < 0:
            raise Invalid(f"quota for {group} may not be negative", field=f"quotas.{group}")


def open_cohort(uow: UnitOfWork, command: commands.OpenCohort) -> Cohort:
    if uow.session.get(Cohort, command.year) is not None:
        raise Conflict(f"cohort {command.year} already exists", field="year")
    if not command.applications_open_at < command.applications_close_at <= command.assessment_due_at:
        raise Invalid(
            "dates must run applications_open_at < applications_close_at <= assessment_due_at",
            field="applications_close_at",
        )
    _check_quotas({group: command.quotas.get(group, 0) for group in domain.QUOTA_GROUPS})
    rubric = [dict(criterion) for criterion in command.rubric] if command.rubric else default_rubric()
    domain.Rubric.from_data(rubric)
    cohort = Cohort(
        year=command.year,
        quota_provinsi=command.quotas.get("provinsi", 0),
        quota_kabkota=command.quotas.get("kabkota", 0),
        applications_open_at=command.applications_open_at,
        applications_close_at=command.applications_close_at,
        assessment_due_at=command.assessment_due_at,
        rubric=rubric,
        status="open",
        created_at=uow.clock.now(),
    )
    uow.session.add(cohort)
    uow.session.flush()
    audit(uow, cohort.year, command.actor, "opened", quotas=dict(command.quotas), criteria=len(rubric))
    return cohort


def change_cohort(uow: UnitOfWork, command: commands.ChangeCohort) -> Cohort:
    """The regions that applied are told of a moved date through deadline.set, so their reminders
    follow the new schedule."""
    cohort = get_cohort(uow, command.year, lock=True)
    domain.check_cohort_open(cohort.status, cohort.year, "its dates and quotas are settled")
    close_at = command.applications_close_at or cohort.applications_close_at
    due_at = command.assessment_due_at or cohort.assessment_due_at
    if not cohort.applications_open_at < close_at <= due_at:
        raise Invalid(
            "dates must run applications_open_at < applications_close_at <= assessment_due_at",
            field="applications_close_at" if command.applications_close_at else "assessment_due_at",
        )
    _check_quotas(dict(command.quotas or {}))
    if command.quotas:
        cohort.quota_provinsi = command.quotas.get("provinsi", cohort.quota_provinsi)
        cohort.quota_kabkota = command.quotas.get("kabkota", cohort.quota_kabkota)
    moved = set()
    if close_at != cohort.applications_close_at:
        moved.add(domain.SELF_ASSESSMENT)
    if due_at != cohort.assessment_due_at:
        moved.add(domain.ASSESSMENT)
    audit(
        uow,
        cohort.year,
        command.actor,
        "changed",
        applications_close_at=close_at.isoformat(),
        assessment_due_at=due_at.isoformat(),
        quotas={"provinsi": cohort.quota_provinsi, "kabkota": cohort.quota_kabkota},
    )
    cohort.applications_close_at, cohort.assessment_due_at = close_at, due_at
    if moved:
        rubric = rubric_of(cohort)
        for application, region in list_applications(uow, command.year):
            for kind in domain.open_deadlines(snapshot(application, rubric)):
                if kind in moved:
                    deadlines.announce(uow, cohort, region, kind)
    uow.session.flush()
    return cohort
