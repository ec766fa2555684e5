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

# The unit of work's step that counts the versions of the deadlines it changed, once, as it commits.
VERSIONS = "deadline_versions"


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


def set_deadline(uow: UnitOfWork, spec: DeadlineSpec) -> events.Envelope:
    """Record deadline.set; its ``version`` is counted when the unit of work commits (``_Versions``)."""
    envelope = uow.record(
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
            reminders=spec.reminders,
        ),
    )
    _versions(uow).add(spec.deadline_id, envelope)
    return envelope


def clear_deadline(
    uow: UnitOfWork, deadline_id: str, region_code: str, reason: Literal["met", "cancelled"]
) -> events.Envelope:
    """Record deadline.cleared; its ``version`` is counted when the unit of work commits."""
    envelope = uow.record(
        "deadline.cleared",
        region_code,
        events.DeadlineClearedV1(deadline_id=deadline_id, region_code=region_code, reason=reason),
    )
    _versions(uow).add(deadline_id, envelope)
    return envelope


def _versions(uow: UnitOfWork) -> _Versions:
    table: Table | None = uow.outbox.metadata.tables.get("deadline_versions")
    if table is None:
        raise RuntimeError("this service keeps no deadline_versions table; only deadline publishers do")
    return uow.before_commit(VERSIONS, lambda: _Versions(uow, table))


class _Versions:
    """The deadline events of one unit of work, counted in one statement just before it commits.

    Counting at commit rather than at each change costs one round trip per transaction instead of one per
    deadline (a mentoring plan sets twenty), and keeps the guarantee: the upsert locks each deadline's row
    until the commit, so a second transaction changing the same deadline waits there and counts after the
    first committed. Versions of a deadline therefore rise in commit order, and its events within one
    transaction take consecutive versions in the order they were recorded.
    """

    def __init__(self, uow: UnitOfWork, table: Table) -> None:
        self._uow = uow
        self._table = table
        self._events: list[tuple[str, events.Envelope]] = []

    def add(self, deadline_id: str, envelope: events.Envelope) -> None:
        self._events.append((deadline_id, envelope))

    def __call__(self) -> None:
        changes: dict[str, int] = {}
        for deadline_id, _ in self._events:
            changes[deadline_id] = changes.get(deadline_id, 0) + 1
        latest = _count_changes(self._uow, self._table, changes)
        for deadline_id, envelope in reversed(self._events):
            # The envelope is frozen but its data is a plain dict, filled in here before the outbox row
            # is written from it; the caller's envelope then carries the version that was published.
            envelope.data["version"] = latest[deadline_id]
            latest[deadline_id] -= 1


def _count_changes(uow: UnitOfWork, table: Table, changes: dict[str, int]) -> dict[str, int]:
    """Add ``changes[id]`` to each deadline's count in one upsert and return the new counts."""
    dialect = uow.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    now = uow.clock.now()
    # In id order, so two transactions counting the same deadlines lock their rows in the same order.
    rows = [{"deadline_id": key, "version": count, "updated_at": now} for key, count in sorted(changes.items())]
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.deadline_id],
        set_={"version": table.c.version + statement.excluded.version, "updated_at": statement.excluded.updated_at},
    ).returning(table.c.deadline_id, table.c.version)
    # Executed with a list of rows and RETURNING, SQLAlchemy sends them as one multi-row statement.
    return {deadline_id: int(version) for deadline_id, version in uow.session.execute(statement, rows)}


def clear_deadlines(
    uow: UnitOfWork, deadline_ids: Iterable[str], region_code: str, reason: Literal["met", "cancelled"]
) -> None:
    for deadline_id in deadline_ids:
        clear_deadline(uow, deadline_id, region_code, reason)
