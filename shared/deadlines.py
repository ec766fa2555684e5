"""The one way a service announces a deadline to notifications, or says it is met or cancelled.

Every publisher (assessment, MoU, mentoring) records ``deadline.set`` / ``deadline.cleared`` through
these two functions, inside the unit of work of the change that causes them, so the deadline and the
change commit together. The id formats live in ``shared.events``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shared import events
from shared.uow import UnitOfWork


@dataclass(frozen=True)
class DeadlineSpec:
    """What a reminder needs to know of a deadline, and nothing of the domain that set it."""

    deadline_id: str
    region_code: str
    region_name: str | None
    timezone: str
    kind: str
    title: str
    due_at: datetime
    audience: tuple[str, ...]
    link: str | None = None
    # standard: the reminder policy, escalating when overdue; day_before: one reminder the day before.
    reminders: Literal["standard", "day_before"] = "standard"


def next_version(uow: UnitOfWork, deadline_id: str) -> int:
    """Count one more change of the deadline, in the caller's transaction, and return the new count.

    One statement that inserts or increments and returns the row, so two transactions changing the same
    deadline get 1 and 2 (the second waits for the first), never the same number.
    """
    table: Table | None = uow.outbox.metadata.tables.get("deadline_versions")
    if table is None:
        raise RuntimeError("this service keeps no deadline_versions table; only deadline publishers do")
    dialect = uow.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    now = uow.clock.now()
    statement = insert(table).values(deadline_id=deadline_id, version=1, updated_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.deadline_id], set_={"version": table.c.version + 1, "updated_at": now}
    ).returning(table.c.version)
    return int(uow.session.execute(statement).scalar_one())


def set_deadline(uow: UnitOfWork, spec: DeadlineSpec) -> events.Envelope:
    return uow.record(
        "deadline.set",
        spec.region_code,
        events.DeadlineSetV1(
            deadline_id=spec.deadline_id,
            region_code=spec.region_code,
            region_name=spec.region_name,
            timezone=spec.timezone,
            kind=spec.kind,
            title=spec.title,
            due_at=spec.due_at,
            audience=list(spec.audience),
            link=spec.link,
            version=next_version(uow, spec.deadline_id),
            reminders=spec.reminders,
        ),
    )


def clear_deadline(
    uow: UnitOfWork, deadline_id: str, region_code: str, reason: Literal["met", "cancelled"]
) -> events.Envelope:
    return uow.record(
        "deadline.cleared",
        region_code,
        events.DeadlineClearedV1(
            deadline_id=deadline_id, region_code=region_code, reason=reason, version=next_version(uow, deadline_id)
        ),
    )


def clear_deadlines(
    uow: UnitOfWork, deadline_ids: Iterable[str], region_code: str, reason: Literal["met", "cancelled"]
) -> None:
    for deadline_id in deadline_ids:
        clear_deadline(uow, deadline_id, region_code, reason)
