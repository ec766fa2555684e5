"""Notification rules: the lifecycles of deadlines, reminders and deliveries, when each reminder is due,
who receives it, and how a send failure is classified."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

# How officials are named lives in its own module; the rules that address them reach it from here too.
from services.notifications.naming import formal_name as formal_name
from services.notifications.naming import signatory_line as signatory_line
from shared.clock import at_local_hour, local_date
from shared.config import ReminderPolicy
from shared.errors import Conflict

# A deadline follows what its producer last said: set (again) makes it active, cleared ends its reminders.
DEADLINE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "active": ("active", "cleared"),
    "cleared": ("cleared", "active"),
}
REMINDER_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "pending": ("dispatched", "superseded", "cancelled"),
    "dispatched": (),
    "superseded": (),
    "cancelled": (),
}
# 'sending' has no way back to 'pending': a row left there by a worker that died mid-conversation
# is never resent (at most once; docs/notifications.md says what operators do).
DELIVERY_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "pending": ("sending",),
    # A claim is a lease: a row still 'sending' once its lease has run out belonged to a worker that died
    # mid-send, and is claimed again (its email keeps its Message-ID).
    "sending": ("sending", "sent", "retrying", "failed"),
    "sent": (),
    "retrying": ("sending",),
    # Only by an operator's resend, once the cause (a full mailbox, a refused relay) is dealt with; the email
    # keeps its Message-ID, so the official's mail client still sees one message.
    "failed": ("pending",),
}


@dataclass(frozen=True)
class Lifecycle:
    """A row's states and the moves between them; ``initial`` holds the states a new row may start in."""

    name: str
    transitions: Mapping[str, tuple[str, ...]]
    initial: tuple[str, ...]

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(self.transitions)

    def allows(self, current: str | None, target: str) -> bool:
        if current is None:
            return target in self.initial
        return target in self.transitions.get(current, ())

    def sources(self, target: str) -> tuple[str, ...]:
        """The states a row may move to ``target`` from: what a bulk UPDATE to ``target`` matches on."""
        return tuple(state for state, targets in self.transitions.items() if target in targets)


DEADLINE = Lifecycle("deadline", DEADLINE_TRANSITIONS, initial=("active", "cleared"))
REMINDER = Lifecycle("reminder", REMINDER_TRANSITIONS, initial=("pending",))
DELIVERY = Lifecycle("delivery", DELIVERY_TRANSITIONS, initial=("pending",))
# Only an active deadline is reminded; only a reminder that may still be dispatched is unsent.
REMINDED_DEADLINE = "active"
UNSENT_REMINDER = REMINDER.sources("dispatched")
CLAIMABLE_DELIVERY = DELIVERY.sources("sending")


def check_transition(lifecycle: Lifecycle, current: str | None, target: str) -> str:
    """``target`` if a row in ``current`` (None: not yet stored) may move there; Conflict otherwise."""
    if not lifecycle.allows(current, target):
        allowed = lifecycle.initial if current is None else lifecycle.transitions.get(current, ())
        raise Conflict(
            f"a {lifecycle.name} that is {current or 'new'} cannot become {target}",
            current_state=current,
            allowed=list(allowed),
        )
    return target


# How a deadline is reminded: by the policy, escalating when overdue; or once, the day before (a bimtek
# session or a ceremony the ministry itself has set, where "overdue" has no meaning).
STANDARD = "standard"
DAY_BEFORE = "day_before"


def is_stale(applied_version: int | None, applied_at: datetime, version: int | None, occurred_at: datetime) -> bool:
    """Whether an event about a deadline is older than the last one applied.

    The publisher counts each change of a deadline in its own database (``version``): when both the
    applied and the incoming event carry that count, it alone decides, for timestamps come from the
    clocks of different processes and hosts. Only an event without one falls back to its timestamp.
    """
    if applied_version is not None and version is not None:
        return version <= applied_version
    return occurred_at < applied_at


def needs_new_plan(
    current_status: str | None,
    current_due: datetime | None,
    due_at: datetime,
    current_mode: str | None = STANDARD,
    mode: str = STANDARD,
) -> bool:
    """A deadline gets a fresh set of reminders when it is new, moved, reminded another way, or set
    again after being cleared."""
    return current_status != REMINDED_DEADLINE or current_due != due_at or current_mode != mode


@dataclass(frozen=True)
class PlannedReminder:
    kind: str  # before_7, on_day, overdue_1, ...
    due_at: datetime
    step: int  # escalation step: 0 before and on the day, k for the k-th overdue reminder


def plan_reminders(
    deadline_due_at: datetime,
    timezone: str,
    policy: ReminderPolicy,
    announced_at: datetime | None = None,
    mode: str = STANDARD,
) -> list[PlannedReminder]:
    """Reminders at the policy's local hour: N days before the due date, on it, then every few days
    while overdue, each overdue one escalating a step; for a ``day_before`` deadline, one the day before.

    Reminders whose time had passed when the deadline was announced (``announced_at``) are not all
    kept: only the latest, so a late deadline is announced once; and not even that one when another
    reminder is due later on the same local day anyway.
    """
    if mode == DAY_BEFORE:
        return plan_day_before(deadline_due_at, timezone, policy.send_hour, announced_at)
    due_day = local_date(deadline_due_at, timezone)
    planned = [
        PlannedReminder(f"before_{days}", at_local_hour(due_day - timedelta(days=days), policy.send_hour, timezone), 0)
        for days in sorted(policy.days_before, reverse=True)
    ]
    if policy.on_the_day:
        planned.append(PlannedReminder("on_day", at_local_hour(due_day, policy.send_hour, timezone), 0))
    for step in range(1, policy.overdue_max + 1):
        day = due_day + timedelta(days=step * policy.overdue_every_days)
        planned.append(PlannedReminder(f"overdue_{step}", at_local_hour(day, policy.send_hour, timezone), step))
    planned.sort(key=lambda r: r.due_at)
    if announced_at is None:
        return planned
    past = [r for r in planned if r.due_at <= announced_at]
    future = [r for r in planned if r.due_at > announced_at]
    today = local_date(announced_at, timezone)
    if not past or any(local_date(r.due_at, timezone) == today for r in future):
        return future
    return [past[-1], *future]


def plan_day_before(
    due_at: datetime, timezone: str, send_hour: int, announced_at: datetime | None = None
) -> list[PlannedReminder]:
    """One reminder at the sending hour of the local day before the session or ceremony, and none once that
    hour had passed when it was announced: its invitation has just been sent, and a second email about the
    same appointment on the same day would only repeat it."""
    day = local_date(due_at, timezone) - timedelta(days=1)
    reminder = PlannedReminder(DAY_BEFORE, at_local_hour(day, send_hour, timezone), 0)
    if announced_at is not None and reminder.due_at <= announced_at:
        return []
    return [reminder]


def too_late_to_remind(mode: str, due_at: datetime, timezone: str, now: datetime) -> bool:
    """A session or ceremony whose day has passed is not reminded any more (the sweep was down until after
    it); a deadline is, for an overdue reminder is still news."""
    return mode == DAY_BEFORE and local_date(now, timezone) > local_date(due_at, timezone)


def latest_due(reminders: Sequence[tuple[str, datetime]], now: datetime) -> tuple[str | None, list[str]]:
    """Of a deadline's unsent reminders (id, due_at), the latest one that is due is sent; the earlier
    due ones are superseded, so downtime ends with one catch-up reminder instead of a burst."""
    due = sorted((r for r in reminders if r[1] <= now), key=lambda r: r[1])
    if not due:
        return None, []
    return due[-1][0], [reminder_id for reminder_id, _ in due[:-1]]


def recipient_roles(audience: Iterable[str], escalation: Sequence[str], step: int) -> list[str]:
    """Before and on the due date, the least senior escalation role the audience names (the chain's
    first if it names none), plus the roles outside the chain it names (e.g. Bappeda); each overdue
    step adds the next official up the whole chain, whether or not the audience names them."""
    audience = list(dict.fromkeys(audience))
    named = [escalation.index(role) for role in audience if role in escalation]
    start = min(named) if named else 0
    reached = list(escalation[start : start + step + 1])
    return reached + [role for role in audience if role not in escalation]


def reminder_roles(mode: str, audience: Iterable[str], escalation: Sequence[str], step: int) -> list[str]:
    """Who a reminder reaches: everyone invited to a session or ceremony the day before it; otherwise
    the escalation rule of ``recipient_roles``."""
    if mode == DAY_BEFORE:
        return list(dict.fromkeys(audience))
    return recipient_roles(audience, escalation, step)


def recipients(officials: Iterable[Mapping[str, Any]], roles: Iterable[str]) -> list[Mapping[str, Any]]:
    """The officials holding ``roles`` who have an address, one entry per address, in role order."""
    wanted = list(roles)
    chosen = sorted(
        (o for o in officials if o.get("role") in wanted and o.get("email")), key=lambda o: wanted.index(o["role"])
    )
    seen: set[str] = set()
    out = []
    for official in chosen:
        email = official["email"].lower()
        if email not in seen:  # one person holding two roles gets one email
            seen.add(email)
            out.append(official)
    return out


@dataclass(frozen=True)
class SendOutcome:
    status: str  # sent | retry | failed
    detail: str


# What a delivery becomes after each kind of answer.
OUTCOME_STATUS = {"sent": "sent", "retry": "retrying", "failed": "failed"}


def classify_smtp_failure(code: int | None, message: str, attempts: int, max_attempts: int) -> SendOutcome:
    """5xx is permanent; 4xx and connection trouble (code None) are retried until attempts run out."""
    if code is not None and 500 <= code < 600:
        return SendOutcome("failed", f"{code} {message}".strip())
    if attempts >= max_attempts:
        return SendOutcome("failed", f"gave up after {attempts} attempts: {code or ''} {message}".strip())
    return SendOutcome("retry", f"{code or 'connection'} {message}".strip())


def retry_delay(attempts: int, base_seconds: float, cap_seconds: float = 3600.0) -> timedelta:
    return timedelta(seconds=min(cap_seconds, base_seconds * (2 ** max(attempts - 1, 0))))


def describe_kind(kind: str, days_left: int | None = None) -> tuple[str, str]:
    """Indonesian and English phrases for a reminder, for subjects and bodies. ``days_left`` (local days
    from the sending day to the due date) wins over the planned kind: a reminder sent late says how
    much time is really left."""
    if kind.startswith("overdue_") or (days_left is not None and days_left < 0):
        return "terlambat", "overdue"
    days = days_left if days_left is not None else (0 if kind == "on_day" else int(kind.split("_", 1)[1]))
    if days == 0:
        return "batas waktu hari ini", "due today"
    return f"{days} hari lagi", f"due in {days} day{'s' if days != 1 else ''}"


# Who hears of each stage of the programme: the head of region and the officials who carry the work.
NOTICE_AUDIENCE: dict[str, tuple[str, ...]] = {
    "selection": ("head_of_region", "regional_secretary", "kominfo_head"),
    "mou": ("head_of_region", "regional_secretary", "kominfo_head", "bappeda_head", "bpkpad_head"),
    "programme": ("regional_secretary", "kominfo_head", "bappeda_head"),
    "review": ("kominfo_head",),
}
