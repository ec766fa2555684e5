"""The deadline projection: what producers said about each deadline, and the reminder rows it plans.

Deadline events arrive in batches (a mentoring plan's twenty milestones travel in one message), so they are
applied set-wise: one locking read of every deadline the batch names, the ordering rule applied here, event
by event, on those rows, then one write per table. A single event is a batch of one: both paths share every
rule, so a batch leaves exactly what its events applied one by one would.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from contextlib import nullcontext
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from services.notifications import domain
from services.notifications.commands import ApplyDeadlineCleared, ApplyDeadlineSet
from services.notifications.orm import Deadline, Reminder
from shared.logging import correlation, get_logger
from shared.uow import UnitOfWork

log = get_logger(__name__)
# A deadline known only from its deadline.cleared: it has no title, date or zone of its own yet.
UNSEEN_KIND = "unseen"
UNSEEN_TIMEZONE = "UTC"
DeadlineCommand = ApplyDeadlineSet | ApplyDeadlineCleared
DEADLINES = Deadline.__table__
REMINDERS = Reminder.__table__
CANCELLABLE = domain.REMINDER.sources("cancelled")


def apply_deadline_set(uow: UnitOfWork, command: ApplyDeadlineSet) -> int:
    """Record the deadline; if it is new or moved, cancel its unsent reminders and plan afresh.
    Returns how many reminders were planned (0 when nothing moved or the event is stale)."""
    return apply_deadline_events(uow, [command])[0]


def apply_deadline_cleared(uow: UnitOfWork, command: ApplyDeadlineCleared) -> None:
    """Mark the deadline met or cancelled and cancel its unsent reminders."""
    apply_deadline_events(uow, [command])


def apply_deadline_events(uow: UnitOfWork, commands: Sequence[DeadlineCommand]) -> list[int]:
    """Apply deadline.set and deadline.cleared commands in their order, with the effect of applying them one
    by one. Returns how many reminders each planned."""
    ids = sorted({command.deadline_id for command in commands})
    # Locked in id order, so two batches naming the same deadlines queue behind each other, never crosswise.
    stored = uow.session.execute(
        select(DEADLINES).where(DEADLINES.c.id.in_(ids)).order_by(DEADLINES.c.id).with_for_update()
    ).all()
    projection = _Projection({row.id: dict(row._mapping) for row in stored}, uow.clock.now())
    planned = [
        projection.set(command) if isinstance(command, ApplyDeadlineSet) else projection.clear(command)
        for command in commands
    ]
    projection.write(uow.session)
    return planned


class _Projection:
    """The batch's deadlines as rows in memory: the stored ones (locked) and those the batch creates."""

    def __init__(self, stored: dict[str, dict[str, Any]], now: datetime) -> None:
        self.rows = stored
        self.stored = set(stored)
        self.now = now
        self.changed: dict[str, None] = {}  # ordered: rows are written in the order the events touched them
        self.cancelled: set[str] = set()  # stored deadlines whose stored unsent reminders are cancelled
        self.planned: dict[str, list[dict[str, Any]]] = {}  # reminder rows this batch plans, per deadline

    def set(self, command: ApplyDeadlineSet) -> int:
        row = self.rows.get(command.deadline_id)
        if row is not None and _stale("deadline.set", row, command):
            return 0
        current = row["status"] if row is not None else None
        moved = domain.needs_new_plan(
            current,
            row["due_at"] if row is not None else None,
            command.due_at,
            row["reminders"] if row is not None else None,
            command.reminders,
        )
        if row is None:
            row = self._new(command.deadline_id)
        row.update(
            region_code=command.region_code,
            timezone=command.timezone,
            kind=command.kind,
            title=command.title,
            region_name=command.region_name,
            due_at=command.due_at,
            audience=list(command.audience),
            link=command.link,
            reminders=command.reminders,
            status=domain.check_transition(domain.DEADLINE, current, "active"),
            source=command.source,
            correlation_id=command.correlation_id,
        )
        self._applied(row, command.version, command.occurred_at)
        if not moved:
            return 0
        if current is not None:  # a deadline seen for the first time has no reminders to cancel
            self._cancel_unsent(row["id"])
        row["generation"] += 1
        planned = domain.plan_reminders(
            command.due_at, command.timezone, command.policy, command.occurred_at, mode=command.reminders
        )
        pending = domain.check_transition(domain.REMINDER, None, "pending")
        self.planned.setdefault(row["id"], []).extend(
            {
                "id": str(uuid.uuid4()),
                "deadline_id": row["id"],
                "generation": row["generation"],
                "kind": reminder.kind,
                "step": reminder.step,
                "due_at": reminder.due_at,
                "status": pending,
                "dispatched_at": None,
            }
            for reminder in planned
        )
        return len(planned)

    def clear(self, command: ApplyDeadlineCleared) -> int:
        row = self.rows.get(command.deadline_id)
        if row is None:
            # The clearing overtook its deadline.set (e.g. one the outbox sweep republished late). Keep a
            # cleared placeholder so that older deadline.set is recognised as stale, not planned afresh.
            row = self._new(command.deadline_id)
            row.update(
                region_code=command.region_code,
                timezone=UNSEEN_TIMEZONE,
                kind=UNSEEN_KIND,
                title=command.deadline_id[:300],
                due_at=command.occurred_at,
                audience=[],
                status=domain.check_transition(domain.DEADLINE, None, "cleared"),
                source=command.source,
                correlation_id=command.correlation_id,
                reminders=domain.STANDARD,
            )
            self._applied(row, command.version, command.occurred_at)
            return 0
        if _stale("deadline.cleared", row, command):
            return 0
        row["status"] = domain.check_transition(domain.DEADLINE, row["status"], "cleared")
        self._applied(row, command.version, command.occurred_at)
        self._cancel_unsent(row["id"])
        return 0

    def write(self, session: Session) -> None:
        """One INSERT of the new deadlines, one UPDATE of the changed ones, one cancelling of their stored
        unsent reminders and one INSERT of every reminder planned, in the order the foreign key needs."""
        rows = [self.rows[deadline_id] for deadline_id in self.changed]
        new = [row for row in rows if row["id"] not in self.stored]
        if new:
            session.execute(insert(DEADLINES), new)
        # The SET clause is every column the parameters name; the key names the row without rewriting it.
        changed = [
            {"key": row["id"], **{name: value for name, value in row.items() if name != "id"}}
            for row in rows
            if row["id"] in self.stored
        ]
        if changed:
            session.execute(update(DEADLINES).where(DEADLINES.c.id == bindparam("key")), changed)
        if self.cancelled:
            session.execute(
                update(REMINDERS)
                .where(REMINDERS.c.deadline_id.in_(sorted(self.cancelled)), REMINDERS.c.status.in_(CANCELLABLE))
                .values(status="cancelled")
            )
        planned = [reminder for reminders in self.planned.values() for reminder in reminders]
        if planned:
            # One multi-row INSERT for every plan, not an ORM object and flush step per reminder.
            session.execute(insert(REMINDERS), planned)

    def _new(self, deadline_id: str) -> dict[str, Any]:
        row: dict[str, Any] = {column.name: None for column in DEADLINES.c}
        row.update(id=deadline_id, generation=0)
        self.rows[deadline_id] = row
        return row

    def _applied(self, row: dict[str, Any], version: int | None, occurred_at: datetime) -> None:
        # An event without a count leaves the last count in place, so a later counted event is still ordered
        # by it.
        if version is not None:
            row["version"] = version
        row["last_event_at"] = occurred_at
        row["updated_at"] = self.now
        self.changed[row["id"]] = None

    def _cancel_unsent(self, deadline_id: str) -> None:
        if deadline_id in self.stored:
            self.cancelled.add(deadline_id)
        # Reminders planned earlier in this batch are not stored yet: they are written cancelled.
        for reminder in self.planned.get(deadline_id, ()):
            if reminder["status"] in CANCELLABLE:
                reminder["status"] = "cancelled"


def _stale(event_type: str, row: dict[str, Any], command: DeadlineCommand) -> bool:
    if not domain.is_stale(row["version"], row["last_event_at"], command.version, command.occurred_at):
        return False
    # Every event dropped is told, with both counts: a producer that stops counting shows up here.
    with correlation(command.correlation_id) if command.correlation_id else nullcontext():
        log.info(
            f"stale {event_type} ignored",
            deadline_id=row["id"],
            version=command.version,
            applied_version=row["version"],
            occurred_at=command.occurred_at.isoformat(),
            applied_occurred_at=row["last_event_at"].isoformat(),
        )
    return True
