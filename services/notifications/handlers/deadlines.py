"""The deadline projection: what producers said about each deadline, and the reminder rows it plans."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import insert, update

from services.notifications import domain
from services.notifications.commands import ApplyDeadlineCleared, ApplyDeadlineSet
from services.notifications.orm import Deadline, Reminder
from shared.logging import get_logger
from shared.uow import UnitOfWork

log = get_logger(__name__)
# A deadline known only from its deadline.cleared: it has no title, date or zone of its own yet.
UNSEEN_KIND = "unseen"
UNSEEN_TIMEZONE = "UTC"


def apply_deadline_set(uow: UnitOfWork, command: ApplyDeadlineSet) -> int:
    """Record the deadline; if it is new or moved, cancel its unsent reminders and plan afresh.
    Returns how many reminders were planned (0 when nothing moved or the event is stale)."""
    now = uow.clock.now()
    deadline = uow.session.get(Deadline, command.deadline_id, with_for_update=True)
    if deadline is not None and _stale("deadline.set", deadline, command.version, command):
        return 0
    current = deadline.status if deadline is not None else None
    moved = domain.needs_new_plan(
        current,
        deadline.due_at if deadline is not None else None,
        command.due_at,
        deadline.reminders if deadline is not None else None,
        command.reminders,
    )
    if deadline is None:
        deadline = Deadline(id=command.deadline_id, generation=0)
        uow.session.add(deadline)
    deadline.region_code = command.region_code
    deadline.timezone = command.timezone
    deadline.kind = command.kind
    deadline.title = command.title
    deadline.region_name = command.region_name
    deadline.due_at = command.due_at
    deadline.audience = list(command.audience)
    deadline.link = command.link
    deadline.reminders = command.reminders
    deadline.status = domain.check_transition(domain.DEADLINE, current, "active")
    deadline.source = command.source
    deadline.correlation_id = command.correlation_id
    _applied(deadline, command.version, command.occurred_at)
    deadline.updated_at = now
    if not moved:
        return 0
    if current is not None:  # a deadline seen for the first time has no reminders to cancel
        _cancel_unsent(uow, command.deadline_id)
    deadline.generation += 1
    uow.session.flush()
    planned = domain.plan_reminders(
        command.due_at, command.timezone, command.policy, command.occurred_at, mode=command.reminders
    )
    pending = domain.check_transition(domain.REMINDER, None, "pending")
    if planned:
        # One multi-row INSERT for the plan, not an ORM object and flush step per reminder.
        rows = [
            {
                "id": str(uuid.uuid4()),
                "deadline_id": deadline.id,
                "generation": deadline.generation,
                "kind": reminder.kind,
                "step": reminder.step,
                "due_at": reminder.due_at,
                "status": pending,
            }
            for reminder in planned
        ]
        uow.session.execute(insert(Reminder.__table__), rows)
    return len(planned)


def apply_deadline_cleared(uow: UnitOfWork, command: ApplyDeadlineCleared) -> None:
    deadline = uow.session.get(Deadline, command.deadline_id, with_for_update=True)
    if deadline is None:
        # The clearing overtook its deadline.set (e.g. one the outbox sweep republished late). Keep a
        # cleared placeholder so that older deadline.set is recognised as stale, not planned afresh.
        uow.session.add(
            Deadline(
                id=command.deadline_id,
                region_code=command.region_code,
                timezone=UNSEEN_TIMEZONE,
                kind=UNSEEN_KIND,
                title=command.deadline_id[:300],
                due_at=command.occurred_at,
                audience=[],
                status=domain.check_transition(domain.DEADLINE, None, "cleared"),
                source=command.source,
                correlation_id=command.correlation_id,
                generation=0,
                version=command.version,
                reminders=domain.STANDARD,
                last_event_at=command.occurred_at,
                updated_at=uow.clock.now(),
            )
        )
        return
    if _stale("deadline.cleared", deadline, command.version, command):
        return
    deadline.status = domain.check_transition(domain.DEADLINE, deadline.status, "cleared")
    _applied(deadline, command.version, command.occurred_at)
    deadline.updated_at = uow.clock.now()
    _cancel_unsent(uow, command.deadline_id)


def _stale(
    event_type: str, deadline: Deadline, version: int | None, command: ApplyDeadlineSet | ApplyDeadlineCleared
) -> bool:
    if not domain.is_stale(deadline.version, deadline.last_event_at, version, command.occurred_at):
        return False
    # Every event dropped is told, with both counts: a producer that stops counting shows up here.
    log.info(
        f"stale {event_type} ignored",
        deadline_id=deadline.id,
        version=version,
        applied_version=deadline.version,
        occurred_at=command.occurred_at.isoformat(),
        applied_occurred_at=deadline.last_event_at.isoformat(),
    )
    return True


def _applied(deadline: Deadline, version: int | None, occurred_at: datetime) -> None:
    # An event without a count leaves the last count in place, so a later counted event is still ordered by it.
    if version is not None:
        deadline.version = version
    deadline.last_event_at = occurred_at


def _cancel_unsent(uow: UnitOfWork, deadline_id: str) -> None:
    uow.session.execute(
        update(Reminder)
        .where(Reminder.deadline_id == deadline_id, Reminder.status.in_(domain.REMINDER.sources("cancelled")))
        .values(status="cancelled")
    )
