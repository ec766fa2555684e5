"""Notification rules: the lifecycles of deadlines, reminders and deliveries, when each reminder is due,
who receives it, and how a send failure is classified."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

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
    "failed": (),
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


def needs_new_plan(current_status: str | None, current_due: datetime | None, due_at: datetime) -> bool:
    """A deadline gets a fresh set of reminders when it is new, moved, or set again after being cleared."""
    return current_status != REMINDED_DEADLINE or current_due != due_at


@dataclass(frozen=True)
class PlannedReminder:
    kind: str  # before_7, on_day, overdue_1, ...
    due_at: datetime
    step: int  # escalation step: 0 before and on the day, k for the k-th overdue reminder


def plan_reminders(
    deadline_due_at: datetime, timezone: str, policy: ReminderPolicy, announced_at: datetime | None = None
) -> list[PlannedReminder]:
    """Reminders at the policy's local hour: N days before the due date, on it, then every few days
    while overdue, each overdue one escalating a step.

    Reminders whose time had passed when the deadline was announced (``announced_at``) are not all
    kept: only the latest, so a late deadline is announced once; and not even that one when another
    reminder is due later on the same local day anyway.
    """
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
        return "jatuh tempo hari ini", "due today"
    return f"{days} hari lagi", f"due in {days} day{'s' if days != 1 else ''}"


def formal_name(name: str, title: str | None, acting: str | None, position: str | None) -> str:
    """'Plh Sekretaris Daerah Kabupaten X, Dr. Budi Santoso, S.T., M.Si.': acting designation before the
    position, academic titles after the name, as Indonesian official letters write them."""
    full = f"{name}, {title}" if title else name
    if position:
        office = f"{acting} {position}" if acting and not position.startswith(acting) else position
        return f"{office}, {full}"
    return f"{acting} {full}" if acting else full


# Who hears of each stage of the programme: the head of region and the officials who carry the work.
NOTICE_AUDIENCE: dict[str, tuple[str, ...]] = {
    "selection": ("head_of_region", "regional_secretary", "kominfo_head"),
    "mou": ("head_of_region", "regional_secretary", "kominfo_head", "bappeda_head", "bpkpad_head"),
    "programme": ("regional_secretary", "kominfo_head", "bappeda_head"),
    "review": ("kominfo_head",),
}


def signatory_line(name: str, position: str, acting: str | None, on_behalf_of: str | None, language: str = "id") -> str:
    """'Plh Sekretaris Daerah, Sugiharto Hutabarat, a.n. Pj Bupati Tapanuli Tengah': who signed, and for whom."""
    line = formal_name(name, None, acting, position)
    if on_behalf_of:
        line += f", a.n. {on_behalf_of}" if language == "id" else f", on behalf of {on_behalf_of}"
    return line
