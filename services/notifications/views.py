"""Reads that change nothing: the deliveries log, what is due for the entrypoints, and the reminder preview."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from services.notifications import domain
from services.notifications.orm import Deadline, Delivery, Reminder
from shared.uow import UnitOfWork


def list_deliveries(
    uow: UnitOfWork,
    *,
    region: str | None = None,
    deadline: str | None = None,
    status: str | None = None,
    recipient: str | None = None,
    limit: int = 200,
) -> list[Delivery]:
    query = select(Delivery).order_by(Delivery.created_at.desc(), Delivery.recipient).limit(limit)
    if region:
        query = query.where(Delivery.region_code == region)
    if deadline:
        query = query.where(Delivery.deadline_id == deadline)
    if status:
        query = query.where(Delivery.status == status)
    if recipient:
        query = query.where(Delivery.recipient == recipient.lower())
    return list(uow.session.scalars(query))


def due_deliveries(uow: UnitOfWork, limit: int = 200) -> list[str]:
    """Ids of the deliveries that may be claimed now, the longest waiting first."""
    return list(
        uow.session.scalars(
            select(Delivery.id)
            .where(Delivery.status.in_(domain.CLAIMABLE_DELIVERY), Delivery.next_attempt_at <= uow.clock.now())
            .order_by(Delivery.next_attempt_at)
            .limit(limit)
        )
    )


def due_deadlines(uow: UnitOfWork, limit: int = 500) -> dict[str, str]:
    """Active deadlines with an unsent reminder due now (up to ``limit``), each with its region."""
    # The limit counts deadlines, not reminder rows: a deadline cut in two would send its earlier
    # due reminder now and its latest in the next scan, two emails where one catch-up was meant.
    rows = uow.session.execute(
        select(Reminder.deadline_id, Deadline.region_code)
        .join(Deadline, Deadline.id == Reminder.deadline_id)
        .where(
            Reminder.status.in_(domain.UNSENT_REMINDER),
            Reminder.due_at <= uow.clock.now(),
            Deadline.status == domain.REMINDED_DEADLINE,
        )
        .group_by(Reminder.deadline_id, Deadline.region_code)
        .order_by(Reminder.deadline_id)
        .limit(limit)
    ).all()
    return {deadline_id: region_code for deadline_id, region_code in rows}


def _unsent(uow: UnitOfWork, region_code: str) -> list[tuple[Reminder, Deadline]]:
    rows = uow.session.execute(
        select(Reminder, Deadline)
        .join(Deadline, Deadline.id == Reminder.deadline_id)
        .where(
            Deadline.region_code == region_code,
            Deadline.status == domain.REMINDED_DEADLINE,
            Reminder.status.in_(domain.UNSENT_REMINDER),
        )
        .order_by(Reminder.due_at, Reminder.deadline_id)
    ).all()
    return [(reminder, deadline) for reminder, deadline in rows]


def has_unsent_reminders(uow: UnitOfWork, region_code: str) -> bool:
    return bool(_unsent(uow, region_code))


def preview(
    uow: UnitOfWork,
    region_code: str,
    as_of: datetime,
    officials: Sequence[Mapping[str, Any]],
    escalation: Sequence[str],
) -> list[dict[str, Any]]:
    """What the sweep would send for a region's unsent reminders, when and to whom, without sending.

    Reminders already due at ``as_of`` follow the sweep's catch-up rule: only the latest one per
    deadline goes out; the earlier ones are shown as superseded.
    """
    rows = _unsent(uow, region_code)
    by_deadline: dict[str, list[tuple[str, datetime]]] = {}
    for reminder, deadline in rows:
        by_deadline.setdefault(deadline.id, []).append((reminder.id, reminder.due_at))
    superseded: set[str] = set()
    for pairs in by_deadline.values():
        superseded.update(domain.latest_due(pairs, as_of)[1])
    out = []
    for reminder, deadline in rows:
        roles = domain.reminder_roles(deadline.reminders, deadline.audience, escalation, reminder.step)
        due_now = reminder.due_at <= as_of
        out.append(
            {
                "deadline_id": deadline.id,
                "title": deadline.title,
                "deadline_due_at": deadline.due_at.isoformat(),
                "kind": reminder.kind,
                "send_at": (as_of if due_now else reminder.due_at).isoformat(),
                "planned_at": reminder.due_at.isoformat(),
                "action": "superseded" if reminder.id in superseded else ("send now" if due_now else "scheduled"),
                "roles": roles,
                "recipients": [o["email"].lower() for o in domain.recipients(officials, roles)],
            }
        )
    return out
