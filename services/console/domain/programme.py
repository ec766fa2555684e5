"""The programme seen whole from the APIs' answers: the cohort funnel, what is late, and a region's timeline."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from shared.clock import end_of_local_day

FUNNEL = ("applied", "scored", "selected", "signed", "mentoring", "masterplan", "enacted")
SCORED = {"scored", "selected", "not_selected"}
SIGNED = {"signed", "expired"}
UNSIGNED = {"draft", "scheduled"}
# Milestone kinds in the plan template that mark the two outcomes the programme is judged by.
MASTERPLAN_KIND = "masterplan"
ENACTMENT_KIND = "regulation"
WEEK = timedelta(days=7)

Json = Mapping[str, Any]


def instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _milestones(programme: Json) -> Iterable[Json]:
    for stage in programme.get("stages", []):
        yield from stage.get("milestones", [])


def accepted(programme: Json, kind: str) -> bool:
    kinds = [m for m in _milestones(programme) if m.get("kind") == kind]
    return bool(kinds) and all(m.get("status") == "accepted" for m in kinds)


def _counts(applications: list[Json], agreements: list[Json], programmes: list[Json]) -> dict[str, int]:
    live = [a for a in applications if a.get("status") != "withdrawn"]
    return {
        "applied": len(live),
        "scored": sum(1 for a in live if a.get("status") in SCORED),
        "selected": sum(1 for a in live if a.get("status") == "selected"),
        "signed": sum(1 for a in agreements if a.get("status") in SIGNED),
        "mentoring": len(programmes),
        "masterplan": sum(1 for p in programmes if accepted(p, MASTERPLAN_KIND)),
        "enacted": sum(1 for p in programmes if accepted(p, ENACTMENT_KIND)),
    }


def funnel(applications: list[Json], agreements: list[Json], programmes: list[Json]) -> list[tuple[str, int]]:
    """Each step of the cohort and how many regions reached it, in programme order."""
    counts = _counts(applications, agreements, programmes)
    return [(step, counts[step]) for step in FUNNEL]


@dataclass(frozen=True)
class ProvinceRow:
    code: str
    name: str
    counts: dict[str, int]


def by_province(
    applications: list[Json], agreements: list[Json], programmes: list[Json], provinces: Mapping[str, str]
) -> list[ProvinceRow]:
    """The funnel per province (a province and its kabupaten/kota together), provinces with applicants only."""
    codes = sorted({a["region_code"][:2] for a in applications})
    rows = []
    for code in codes:

        def mine(items: list[Json], code: str = code) -> list[Json]:
            return [item for item in items if item["region_code"][:2] == code]

        rows.append(
            ProvinceRow(
                code, provinces.get(code, code), _counts(mine(applications), mine(agreements), mine(programmes))
            )
        )
    return rows


@dataclass(frozen=True)
class DueItem:
    region_code: str
    region_name: str
    timezone: str
    kind: str  # signing (``what`` is the agreement number) | milestone (``what`` is its title)
    what: str
    due_at: datetime
    overdue: bool
    link: str


def late_this_week(agreements: list[Json], programmes: list[Json], now: datetime) -> list[DueItem]:
    """Unsigned agreements and open milestones that are overdue or fall due within seven days, soonest first."""
    items = []
    for agreement in agreements:
        if agreement.get("status") not in UNSIGNED:
            continue
        due = end_of_local_day(date.fromisoformat(agreement["sign_by"]), agreement["timezone"])
        if due <= now + WEEK:
            items.append(
                DueItem(
                    agreement["region_code"],
                    agreement["region_name"],
                    agreement["timezone"],
                    "signing",
                    agreement["number"],
                    due,
                    due < now,
                    f"/agreements/{agreement['id']}",
                )
            )
    for programme in programmes:
        for milestone in _milestones(programme):
            due = instant(milestone.get("due_at"))
            if milestone.get("status") == "accepted" or due is None or due > now + WEEK:
                continue
            items.append(
                DueItem(
                    programme["region_code"],
                    programme["region_name"],
                    programme["timezone"],
                    "milestone",
                    milestone["title"],
                    due,
                    due < now,
                    f"/programmes/{programme['id']}",
                )
            )
    return sorted(items, key=lambda item: item.due_at)


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    # A fixed step, named by a key the pages translate, or a milestone's own title from the plan.
    title: str
    state: str  # done | overdue | upcoming | waiting | cancelled
    area: str  # assessment | mou | mentoring
    detail: str | None = None


def _state(done: bool, at: datetime, now: datetime) -> str:
    if done:
        return "done"
    return "overdue" if at < now else "upcoming"


def _assessment_steps(cohort: Json, application: Json, now: datetime) -> list[TimelineItem]:
    items = []
    scored = application.get("status") in SCORED
    submitted = instant(application.get("submitted_at"))
    if submitted:
        items.append(TimelineItem(submitted, "application_submitted", "done", "assessment"))
    close = instant(cohort["applications_close_at"])
    if close:
        items.append(TimelineItem(close, "applications_closed", _state(close < now, close, now), "assessment"))
    due = instant(cohort["assessment_due_at"])
    if due:
        items.append(TimelineItem(due, "assessment_due", _state(scored, due, now), "assessment"))
    finalized = instant(cohort.get("finalized_at"))
    if finalized:
        outcome = "selected" if application.get("status") == "selected" else "selection_decided"
        items.append(TimelineItem(finalized, outcome, "done", "assessment"))
    return items


def _agreement_steps(agreement: Json, now: datetime) -> list[TimelineItem]:
    number = agreement["number"]
    signed = agreement.get("status") in SIGNED
    sign_by = end_of_local_day(date.fromisoformat(agreement["sign_by"]), agreement["timezone"])
    if agreement.get("status") == "terminated":
        items = [TimelineItem(sign_by, "agreement_terminated", "cancelled", "mou", number)]
    else:
        items = [TimelineItem(sign_by, "signing_due", _state(signed, sign_by, now), "mou", number)]
    scheduled = instant(agreement.get("scheduled_at"))
    if scheduled and not signed:
        items.append(TimelineItem(scheduled, "ceremony", _state(False, scheduled, now), "mou", number))
    signed_at = instant(agreement.get("signed_at"))
    if signed_at:
        items.append(TimelineItem(signed_at, "agreement_signed", "done", "mou", number))
    return items


def timeline(
    cohort: Json | None, application: Json | None, agreement: Json | None, programme: Json | None, now: datetime
) -> list[TimelineItem]:
    """Every stage and deadline of one region's round, oldest first, each with its state."""
    items: list[TimelineItem] = []
    if cohort and application:
        items.extend(_assessment_steps(cohort, application, now))
    if agreement:
        items.extend(_agreement_steps(agreement, now))
    for milestone in _milestones(programme or {}):
        due = instant(milestone.get("due_at"))
        if due is None:
            continue
        status = milestone.get("status")
        state = "waiting" if status == "submitted" else _state(status == "accepted", due, now)
        items.append(TimelineItem(due, milestone["title"], state, "mentoring"))
    return sorted(items, key=lambda item: item.at)
