"""Deadline reminders: keep the deadline projection, plan reminder rows, and turn due ones into deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from services.notifications import domain
from services.notifications.handlers.delivery import add_delivery, recipients
from services.notifications.handlers.notifier import Notifier
from services.notifications.mailer import local_due_phrases
from services.notifications.orm import Deadline, Reminder
from shared import events
from shared.clock import local_date
from shared.config import ReminderPolicy
from shared.errors import NotFound, UpstreamUnavailable
from shared.logging import get_logger
from shared.uow import UnitOfWork

log = get_logger(__name__)
# A deadline known only from its deadline.cleared: it has no title, date or zone of its own yet.
UNSEEN_KIND = "unseen"
UNSEEN_TIMEZONE = "UTC"


# --- projection ------------------------------------------------------------------------------


def on_deadline_set(
    uow: UnitOfWork, envelope: events.Envelope, data: events.DeadlineSetV1, policy: ReminderPolicy
) -> None:
    """Record the deadline; if it is new or moved, cancel its unsent reminders and plan afresh."""
    now = uow.clock.now()
    deadline = uow.session.get(Deadline, data.deadline_id, with_for_update=True)
    if deadline is not None and envelope.occurred_at < deadline.last_event_at:
        log.info("stale deadline.set ignored", deadline_id=data.deadline_id)
        return
    moved = deadline is None or deadline.due_at != data.due_at or deadline.status != "active"
    if deadline is None:
        deadline = Deadline(id=data.deadline_id, generation=0)
        uow.session.add(deadline)
    deadline.region_code = data.region_code
    deadline.timezone = data.timezone
    deadline.kind = data.kind
    deadline.title = data.title
    deadline.region_name = data.region_name
    deadline.due_at = data.due_at
    deadline.audience = list(data.audience)
    deadline.link = data.link
    deadline.status = "active"
    deadline.source = envelope.source
    deadline.correlation_id = envelope.correlation_id
    deadline.last_event_at = envelope.occurred_at
    deadline.updated_at = now
    if not moved:
        return
    _cancel_pending(uow, data.deadline_id)
    deadline.generation += 1
    uow.session.flush()
    for planned in domain.plan_reminders(data.due_at, data.timezone, policy, announced_at=envelope.occurred_at):
        uow.session.add(
            Reminder(
                id=str(uuid.uuid4()),
                deadline_id=deadline.id,
                generation=deadline.generation,
                kind=planned.kind,
                step=planned.step,
                due_at=planned.due_at,
                status="pending",
            )
        )


def on_deadline_cleared(uow: UnitOfWork, envelope: events.Envelope, data: events.DeadlineClearedV1) -> None:
    deadline = uow.session.get(Deadline, data.deadline_id, with_for_update=True)
    if deadline is None:
        # The clearing overtook its deadline.set (e.g. one the outbox sweep republished late). Keep a
        # cleared placeholder so that older deadline.set is recognised as stale, not planned afresh.
        now = uow.clock.now()
        uow.session.add(
            Deadline(
                id=data.deadline_id,
                region_code=data.region_code,
                timezone=UNSEEN_TIMEZONE,
                kind=UNSEEN_KIND,
                title=data.deadline_id[:300],
                due_at=envelope.occurred_at,
                audience=[],
                status="cleared",
                source=envelope.source,
                correlation_id=envelope.correlation_id,
                generation=0,
                last_event_at=envelope.occurred_at,
                updated_at=now,
            )
        )
        return
    if envelope.occurred_at < deadline.last_event_at:
        return
    deadline.status = "cleared"
    deadline.last_event_at = envelope.occurred_at
    deadline.updated_at = uow.clock.now()
    _cancel_pending(uow, data.deadline_id)


def _cancel_pending(uow: UnitOfWork, deadline_id: str) -> None:
    uow.session.execute(
        update(Reminder)
        .where(Reminder.deadline_id == deadline_id, Reminder.status == "pending")
        .values(status="cancelled")
    )


# --- dispatch: due reminders become deliveries --------------------------------------------------


def dispatch_due_reminders(uow: UnitOfWork, notifier: Notifier, limit: int = 500) -> int:
    """For each active deadline with reminders due (up to ``limit`` deadlines), take the latest one
    (superseding earlier ones) and create one delivery per recipient. Returns the number of deliveries
    created."""
    now = uow.clock.now()
    due = (Reminder.status == "pending", Reminder.due_at <= now, Deadline.status == "active")
    # The limit counts deadlines, not reminder rows: a deadline cut in two would send its earlier
    # due reminder now and its latest in the next scan, two emails where one catch-up was meant.
    deadline_ids = list(
        uow.session.scalars(
            select(Reminder.deadline_id)
            .join(Deadline, Deadline.id == Reminder.deadline_id)
            .where(*due)
            .group_by(Reminder.deadline_id)
            .order_by(Reminder.deadline_id)
            .limit(limit)
        )
    )
    rows = uow.session.execute(
        select(Reminder, Deadline)
        .join(Deadline, Deadline.id == Reminder.deadline_id)
        .where(*due, Reminder.deadline_id.in_(deadline_ids))
        .order_by(Reminder.deadline_id, Reminder.due_at)
        .with_for_update(skip_locked=True, of=Reminder)
    ).all()
    by_deadline: dict[str, list[tuple[Reminder, Deadline]]] = {}
    for reminder, deadline in rows:
        by_deadline.setdefault(deadline.id, []).append((reminder, deadline))
    created = 0
    for pairs in by_deadline.values():
        reminders = {r.id: r for r, _ in pairs}
        chosen_id, superseded = domain.latest_due([(r.id, r.due_at) for r, _ in pairs], now)
        if chosen_id is None:
            continue
        reminder, deadline = reminders[chosen_id], pairs[0][1]
        try:
            created += _deliveries_for(uow, notifier, reminder, deadline)
        except (UpstreamUnavailable, NotFound) as exc:
            # Leave this deadline's reminders pending; the next scan tries again.
            log.warning("officials unavailable; reminder postponed", deadline_id=deadline.id, error=exc.detail)
            continue
        for reminder_id in superseded:
            reminders[reminder_id].status = "superseded"
        reminder.status = "dispatched"
        reminder.dispatched_at = now
    uow.commit()
    return created


def _deliveries_for(uow: UnitOfWork, notifier: Notifier, reminder: Reminder, deadline: Deadline) -> int:
    officials = notifier.directory.officials(uow.session, deadline.region_code)
    roles = domain.recipient_roles(deadline.audience, notifier.policy.escalation, reminder.step)
    chosen = recipients(officials, roles)
    if not chosen:
        log.warning("no official to remind", deadline_id=deadline.id, region_code=deadline.region_code, roles=roles)
        return 0
    today = local_date(uow.clock.now(), deadline.timezone)
    days_left = (local_date(deadline.due_at, deadline.timezone) - today).days
    phrase_id, phrase_en = domain.describe_kind(reminder.kind, days_left)
    due_id, due_en = local_due_phrases(deadline.due_at, deadline.timezone)
    context = {
        "title": deadline.title,
        "region_name": deadline.region_name or deadline.region_code,
        "phrase_id": phrase_id,
        "phrase_en": phrase_en,
        "due_local_id": due_id,
        "due_local_en": due_en,
        "overdue": reminder.kind.startswith("overdue_") or days_left < 0,
        "link": deadline.link,
    }
    for official in chosen:
        add_delivery(
            uow,
            dedupe_key=reminder.id,
            official=official,
            region_code=deadline.region_code,
            kind=f"reminder_{reminder.kind}",
            template="reminder.j2",
            context=context,
            calendar=True,
            correlation_id=deadline.correlation_id,
            deadline_id=deadline.id,
            reminder_id=reminder.id,
        )
    return len(chosen)


def preview(uow: UnitOfWork, notifier: Notifier, region_code: str, as_of: datetime) -> list[dict[str, Any]]:
    """What the sweep would send for a region's unsent reminders, when and to whom, without sending.

    Reminders already due at ``as_of`` follow the sweep's catch-up rule: only the latest one per
    deadline goes out; the earlier ones are shown as superseded.
    """
    rows = uow.session.execute(
        select(Reminder, Deadline)
        .join(Deadline, Deadline.id == Reminder.deadline_id)
        .where(Deadline.region_code == region_code, Deadline.status == "active", Reminder.status == "pending")
        .order_by(Reminder.due_at, Reminder.deadline_id)
    ).all()
    if not rows:
        return []
    officials = notifier.directory.officials(uow.session, region_code)
    by_deadline: dict[str, list[tuple[str, datetime]]] = {}
    for reminder, deadline in rows:
        by_deadline.setdefault(deadline.id, []).append((reminder.id, reminder.due_at))
    superseded: set[str] = set()
    for pairs in by_deadline.values():
        superseded.update(domain.latest_due(pairs, as_of)[1])
    out = []
    for reminder, deadline in rows:
        roles = domain.recipient_roles(deadline.audience, notifier.policy.escalation, reminder.step)
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
                "recipients": [o["email"].lower() for o in recipients(officials, roles)],
            }
        )
    return out
