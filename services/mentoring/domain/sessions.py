"""Bimtek sessions: when one may be moved, and the instant its day-before reminder is counted from."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from shared.clock import at_local_hour
from shared.errors import Conflict, Forbidden, Invalid

# A Bimtek round takes about two days; a month is the longest any plan gives one.
MAX_SESSION_DAYS = 30
# The ministry's side runs the sessions: its operators and the programme's mentors set their days.
MAY_MOVE_SESSIONS = ("operator", "mentor")
# Sessions open in the morning; the exact hour is in the ministry's invitation, not in the plan.
SESSION_OPENS_AT_HOUR = 8
# The ministry sets a session's days: attendees are reminded the day before, and nobody is escalated
# for a session as they would be for work that is late.
SESSION_REMINDERS: Literal["day_before"] = "day_before"


def session_opens_at(starts_on: date, timezone: str) -> datetime:
    return at_local_hour(starts_on, SESSION_OPENS_AT_HOUR, timezone)


def check_may_move_session(role: str) -> None:
    if role not in MAY_MOVE_SESSIONS:
        raise Forbidden("a session is moved by an operator or the programme's mentor")


def check_session_move(starts_on: date, ends_on: date, current_start: date, held_until: date, today: date) -> None:
    """A session is moved, or told its venue, until it has been held; a new first day lies ahead, and so does
    its last day (a session under way may still get a new venue or another day)."""
    if held_until < today:
        raise Conflict(f"the session was held until {held_until.isoformat()}", current_state="held")
    if starts_on != current_start and starts_on < today:
        raise Invalid(f"the new first day {starts_on.isoformat()} is in the past", field="starts_on")
    if ends_on < today:
        raise Invalid(f"the last day {ends_on.isoformat()} is in the past", field="ends_on")
    if ends_on < starts_on:
        raise Invalid("the last day comes before the first", field="ends_on")
    if (ends_on - starts_on).days >= MAX_SESSION_DAYS:
        raise Invalid(f"a session lasts at most {MAX_SESSION_DAYS} days", field="ends_on")
