"""Quick wins: the register per smart city dimension, who may move a quick win, and its deadline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

from services.mentoring.domain.lifecycles import check_transition, is_final
from shared.errors import Conflict, Forbidden, Invalid

# The six smart city dimensions the programme assesses and plans by.
DIMENSIONS = ("governance", "branding", "economy", "living", "society", "environment")
DIMENSION_TITLES = {
    "governance": "Smart Governance",
    "branding": "Smart Branding",
    "economy": "Smart Economy",
    "living": "Smart Living",
    "society": "Smart Society",
    "environment": "Smart Environment",
}
# The Kominfo and Bappeda heads lead the region's smart city team, so they are reminded of its quick wins.
QUICK_WIN_AUDIENCE = ("kominfo_head", "bappeda_head")
# A quick win done meets its deadline; one dropped cancels it. Other moves leave the reminders running.
QUICK_WIN_DEADLINE_ON_ENTRY: dict[str, Literal["met", "cancelled"]] = {"done": "met", "dropped": "cancelled"}
# Dropping a quick win the Masterplan promised is agreed with the mentor, not decided by the region alone.
MAY_DROP = ("operator", "mentor")


def quick_win_deadline_id(quick_win_id: str) -> str:
    """Only mentoring builds this id; notifications reads it from the deadline events like any other."""
    return f"mentoring:quick_win:{quick_win_id}"


def quick_win_title(dimension: str, what: str) -> str:
    return f"Quick win {DIMENSION_TITLES.get(dimension, dimension)}: {what}"


def check_dimension(dimension: str) -> None:
    if dimension not in DIMENSIONS:
        raise Invalid(f"dimension must be one of {', '.join(DIMENSIONS)}", field="dimension")


def check_quick_win_due(due: date, today: date) -> None:
    if due < today:
        raise Invalid(f"the due date {due.isoformat()} is in the past", field="due_date")


def check_quick_win_open(status: str) -> None:
    """A quick win that is done or dropped is a record of what happened; it is not edited afterwards."""
    if is_final("quick_win", status):
        raise Conflict(f"the quick win is {status}; it is no longer changed", current_state=status)


def check_quick_win_move(current: str, target: str, role: str, evidence: Sequence[str]) -> None:
    check_transition("quick_win", current, target)
    if target == "dropped" and role not in MAY_DROP:
        raise Forbidden("a quick win is dropped by the region's mentor or an operator")
    if target == "done" and not evidence:
        raise Invalid("a quick win is done with its evidence: at least one link", field="evidence")


def quick_win_deadline_on_entry(status: str) -> Literal["met", "cancelled"] | None:
    return QUICK_WIN_DEADLINE_ON_ENTRY.get(status)
