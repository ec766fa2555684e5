"""The cohort's and each application's lifecycle, and which of a region's deadlines each state keeps open.

See docs/decisions/0004-cohort-deadlines.md for why cohort deadlines go to applicants only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from shared.errors import Conflict

COHORT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("finalized",),
    "finalized": (),
}

# An application is scored by one or more assessors (partial sheets leave it under assessment), then
# selection places it. Only an operator's forced selection moves an unscored application to not_selected.
APPLICATION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "submitted": ("under_assessment", "scored", "withdrawn", "not_selected"),
    "under_assessment": ("under_assessment", "scored", "withdrawn", "not_selected"),
    "scored": ("scored", "selected", "not_selected", "withdrawn"),
    "selected": (),
    "not_selected": (),
    "withdrawn": (),
}
APPLICATION_STATES = tuple(APPLICATION_TRANSITIONS)


def _check(table: dict[str, tuple[str, ...]], current: str, target: str, what: str, verb: str) -> None:
    if target not in table.get(current, ()):
        raise Conflict(
            f"{what} that is {current} cannot {verb}",
            rule="state",
            current_state=current,
            allowed=list(table.get(current, ())),
        )


def may_move(current: str, target: str) -> bool:
    return target in APPLICATION_TRANSITIONS.get(current, ())


def check_application_move(current: str, target: str, verb: str) -> None:
    _check(APPLICATION_TRANSITIONS, current, target, "an application", verb)


def check_cohort_move(current: str, target: str, verb: str) -> None:
    _check(COHORT_TRANSITIONS, current, target, "a cohort", verb)


def check_cohort_open(status: str, year: int, what: str) -> None:
    """A cohort takes applications and changes only until selection finalises it."""
    if "finalized" in COHORT_TRANSITIONS.get(status, ()):
        return
    raise Conflict(f"cohort {year} is {status}; {what}", rule="cohort_status", current_state=status)


def check_application_window(now: datetime, opens_at: datetime, closes_at: datetime) -> None:
    if now < opens_at:
        raise Conflict(f"applications open at {opens_at.isoformat()}", rule="application_window")
    if now > closes_at:
        raise Conflict(f"applications closed at {closes_at.isoformat()}", rule="application_window")


def check_withdrawable(state: str) -> None:
    if not may_move(state, "withdrawn"):
        raise Conflict(f"an application that is {state} cannot be withdrawn", current_state=state)


def check_scorable(state: str) -> None:
    if not may_move(state, "scored"):
        raise Conflict(f"an application that is {state} cannot be scored", rule="state", current_state=state)


def check_answers_editable(state: str, now: datetime, closes_at: datetime) -> None:
    # The self-assessment is the region's own until an assessor starts scoring it.
    if state != "submitted":
        raise Conflict(f"the self-assessment of an application that is {state} can no longer change", rule="state")
    if now > closes_at:
        raise Conflict(
            f"applications closed at {closes_at.isoformat()}; the self-assessment is frozen", rule="application_window"
        )


def scored_state(missing_criteria: int) -> str:
    """Where an application stands once a sheet is in: scored when every criterion has a score."""
    return "under_assessment" if missing_criteria else "scored"


# --- the region's deadlines ------------------------------------------------------------------

SELF_ASSESSMENT = "self_assessment"
ASSESSMENT = "assessment"
SELF_ASSESSMENT_AUDIENCE = ("kominfo_head", "bappeda_head")
ASSESSMENT_AUDIENCE = ("kominfo_head",)
DeadlineKind = Literal["self_assessment", "assessment"]


@dataclass(frozen=True)
class ApplicationSnapshot:
    """What the deadlines depend on: the state, and whether the self-assessment still lacks answers."""

    status: str
    self_assessment_incomplete: bool


@dataclass(frozen=True)
class DeadlineChange:
    kind: DeadlineKind
    action: Literal["set", "clear"]
    reason: Literal["met", "cancelled"] | None = None


def open_deadlines(snapshot: ApplicationSnapshot | None) -> tuple[DeadlineKind, ...]:
    """The self-assessment deadline is live while the region can still complete its answers; the
    assessment deadline while the application waits for its scores."""
    if snapshot is None:
        return ()
    kinds: list[DeadlineKind] = []
    if snapshot.status == "submitted" and snapshot.self_assessment_incomplete:
        kinds.append(SELF_ASSESSMENT)
    if snapshot.status in ("submitted", "under_assessment"):
        kinds.append(ASSESSMENT)
    return tuple(kinds)


def deadline_changes(before: ApplicationSnapshot | None, after: ApplicationSnapshot) -> list[DeadlineChange]:
    """Which deadlines a move opens and which it closes, and why: a deadline closes as met when its
    work is done (answers complete, scores in), as cancelled when the work no longer matters."""
    was, now = set(open_deadlines(before)), set(open_deadlines(after))
    changes: list[DeadlineChange] = []
    for kind in (SELF_ASSESSMENT, ASSESSMENT):
        if kind in now and kind not in was:
            changes.append(DeadlineChange(kind, "set"))
        elif kind in was and kind not in now:
            if kind == SELF_ASSESSMENT:
                met = after.status == "submitted" and not after.self_assessment_incomplete
            else:
                met = after.status == "scored"
            changes.append(DeadlineChange(kind, "clear", "met" if met else "cancelled"))
    return changes
