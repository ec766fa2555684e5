"""The story's agenda: what happens when, and the mornings when reminders fall due, in time order.

Time only moves by jumps from one moment of the story to the next. Every deadline the story creates adds
its reminder times (the notification policy's days before, the due date and the overdue days, each at the
sending hour in the region's own zone); the agenda stops a few minutes after each, while a deadline that
caused it is still open, so every reminder goes out in its official's morning. Between two moments nothing
is due, so nothing is lost by jumping.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.demo.api import DemoError
from services.demo.monitor import Monitor
from services.demo.timekeeper import Timekeeper
from shared.clock import at_local_hour, local_date
from shared.config import ReminderPolicy

# How long after the sending hour the demo stops: past the grace the notification service allows a
# reminder before it counts it late, so the stop sees every one of them sent or still due.
STOP_AFTER = timedelta(minutes=5)
STANDARD = "standard"
DAY_BEFORE = "day_before"
_STOP, _ACTION = 0, 1


def reminder_times(due_at: datetime, timezone: str, policy: ReminderPolicy, mode: str = STANDARD) -> list[datetime]:
    """When the notification policy reminds of a deadline: N days before its local due date, on it, and on each
    overdue day, at the sending hour in the region's zone; a session or ceremony only the day before."""
    due_day = local_date(due_at, timezone)
    if mode == DAY_BEFORE:
        days = [due_day - timedelta(days=1)]
    else:
        days = [due_day - timedelta(days=n) for n in policy.days_before]
        if policy.on_the_day:
            days.append(due_day)
        days += [due_day + timedelta(days=k * policy.overdue_every_days) for k in range(1, policy.overdue_max + 1)]
    return sorted(at_local_hour(day, policy.send_hour, timezone) for day in days)


@dataclass
class Tracked:
    due_at: datetime
    timezone: str
    mode: str
    generation: int = 0
    open: bool = True


@dataclass(order=True)
class _Entry:
    at: datetime
    rank: int
    sequence: int
    label: str = field(compare=False)
    action: Callable[[], None] | None = field(compare=False, default=None)
    deadline: tuple[str, int] | None = field(compare=False, default=None)


class Agenda:
    def __init__(self, clock: Timekeeper, monitor: Monitor, policy: ReminderPolicy) -> None:
        self.clock = clock
        self.monitor = monitor
        self.policy = policy
        # Chapters call the services a few at a time, and a reply may plan more (a revision's new due date).
        self._lock = threading.Lock()
        self._entries: list[_Entry] = []
        self._sequence = itertools.count()
        self._deadlines: dict[str, Tracked] = {}
        self._outages: list[tuple[datetime, datetime]] = []
        self._dirty = True
        self._last_stop: datetime | None = None
        self.stops = 0
        self.skipped_in_outage = 0
        self.on_move: Callable[[datetime], None] | None = None

    # -- planning ----------------------------------------------------------------------------

    def at(self, instant: datetime, label: str, action: Callable[[], None]) -> None:
        for start, end in self._outages:
            if start <= instant < end:
                raise DemoError(f"{label} at {instant.isoformat()} falls in a reminder outage the story sets")
        with self._lock:
            heapq.heappush(self._entries, _Entry(instant, _ACTION, next(self._sequence), label, action))

    def deadline(self, key: str, due_at: datetime, timezone: str, mode: str = STANDARD) -> None:
        """Track a deadline (again, if it moved): stop at each of its reminder times still ahead."""
        now = self.clock.now()
        with self._lock:
            tracked = self._deadlines.get(key)
            if tracked is None:
                tracked = self._deadlines[key] = Tracked(due_at, timezone, mode)
            else:
                tracked.generation += 1
                tracked.due_at, tracked.timezone, tracked.mode, tracked.open = due_at, timezone, mode, True
            for instant in reminder_times(due_at, timezone, self.policy, mode):
                stop = instant + STOP_AFTER
                if stop > now:
                    entry = _Entry(stop, _STOP, next(self._sequence), key, deadline=(key, tracked.generation))
                    heapq.heappush(self._entries, entry)

    def met(self, key: str) -> None:
        """The deadline is met or no longer matters: its remaining reminder times need no stop."""
        with self._lock:
            if key in self._deadlines:
                self._deadlines[key].open = False

    def outage(self, start: datetime, end: datetime) -> bool:
        """No reminder scan runs from ``start`` to ``end`` (the story skips those mornings): the first scan after
        it sends one catch-up reminder per deadline instead of every one it missed. Refused (False) when
        something is planned to happen in between, for time would then stop there after all."""
        if any(e.deadline is None and start <= e.at < end for e in self._entries):
            return False
        self._outages.append((start, end))
        return True

    def settle(self) -> None:
        """Let everything sent so far be applied and its email go out, without moving time."""
        if self._dirty:
            self.monitor.quiet()
            self._dirty = False

    def changed(self) -> None:
        """Something was sent to a service outside an agenda action: settle before time moves again."""
        self._dirty = True

    # -- running -----------------------------------------------------------------------------

    def run(self, until: datetime | None = None) -> None:
        """Everything planned up to ``until`` (all of it without one), in time order."""
        while self._entries and (until is None or self._entries[0].at <= until):
            with self._lock:
                entry = heapq.heappop(self._entries)
            if entry.deadline is not None:
                self._stop(entry)
            else:
                self._act(entry)

    def _move(self, instant: datetime) -> None:
        if instant <= self.clock.now():
            return
        self.settle()
        # Told before the move: at real speed the move is a wait, and the person watching sees for what.
        if self.on_move is not None:
            self.on_move(instant)
        self.clock.move_to(instant)

    def _stop(self, entry: _Entry) -> None:
        assert entry.deadline is not None
        key, generation = entry.deadline
        tracked = self._deadlines[key]
        if not tracked.open or tracked.generation != generation or entry.at == self._last_stop:
            return
        if any(start <= entry.at < end for start, end in self._outages):
            self.skipped_in_outage += 1
            return
        self._move(entry.at)
        self.monitor.reminders_out()
        self._last_stop = entry.at
        self.stops += 1

    def _act(self, entry: _Entry) -> None:
        assert entry.action is not None
        self._move(entry.at)
        entry.action()
        self._dirty = True
