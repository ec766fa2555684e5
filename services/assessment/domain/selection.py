"""Ranking and quota selection: deterministic whatever the input order, with ties explained."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from services.assessment.domain.regions import quota_group
from shared.errors import Conflict, Invalid

TIE_BREAK_RULE = (
    "higher weighted total first; equal totals: earlier submission first; "
    "still equal: lower Kemendagri region code first"
)


@dataclass(frozen=True)
class Candidate:
    application_id: str
    region_code: str
    kind: str
    total: float
    submitted_at: datetime


@dataclass(frozen=True)
class Placement:
    candidate: Candidate
    group: str
    rank: int
    selected: bool
    tied_with: tuple[str, ...] = field(default_factory=tuple)


def rank_and_select(candidates: Iterable[Candidate], quotas: Mapping[str, int]) -> list[Placement]:
    """Rank each quota group by total and fill its quota. Deterministic whatever the input order."""
    placements: list[Placement] = []
    by_group: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        by_group.setdefault(quota_group(candidate.kind), []).append(candidate)
    for group in sorted(by_group):
        ordered = sorted(by_group[group], key=lambda c: (-c.total, c.submitted_at, c.region_code))
        quota = quotas.get(group, 0)
        totals: dict[float, list[str]] = {}
        for candidate in ordered:
            totals.setdefault(candidate.total, []).append(candidate.region_code)
        for index, candidate in enumerate(ordered):
            tied = tuple(code for code in totals[candidate.total] if code != candidate.region_code)
            placements.append(Placement(candidate, group, index + 1, index < quota, tied))
    return placements


@dataclass(frozen=True)
class Readiness:
    """What stands between a cohort and its selection: applications not fully scored, and an application
    window still open (regions may yet apply or complete their answers)."""

    unscored: tuple[str, ...]
    window_open_until: datetime | None = None

    @property
    def ready(self) -> bool:
        return not self.unscored and self.window_open_until is None


def readiness(unscored: Iterable[str], now: datetime, applications_close_at: datetime) -> Readiness:
    return Readiness(tuple(unscored), applications_close_at if now <= applications_close_at else None)


def check_selectable(readiness: Readiness, *, force: bool, reason: str | None) -> None:
    """Selection waits for the window to close and every application to be scored; an operator may force
    it with a stated reason, which the cohort keeps and the audit trail records."""
    if readiness.ready:
        return
    if not force:
        if readiness.window_open_until is not None:
            raise Conflict(
                f"applications are open until {readiness.window_open_until.isoformat()}; selection waits for "
                "the window to close, or force it with a reason",
                rule="application_window",
                open_until=readiness.window_open_until.isoformat(),
            )
        raise Conflict(
            f"{len(readiness.unscored)} application(s) are not fully scored; score them, "
            "or force selection with a reason",
            missing=list(readiness.unscored),
        )
    if not reason or not reason.strip():
        raise Invalid("forcing selection needs a reason", field="reason")


def check_due(due: date | None, label: str) -> None:
    if due is None:
        raise Invalid(f"{label} is required", field=label)
