"""Due reminders become deliveries: the latest due one per deadline is sent, the earlier ones superseded."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from services.notifications import domain
from services.notifications.commands import DispatchDueReminders
from services.notifications.handlers.common import region_name_of
from services.notifications.handlers.deliveries import add_delivery
from services.notifications.mail.wording import clock_phrases, has_time_of_day, local_due_phrases, weekday_date_phrases
from services.notifications.orm import Deadline, Reminder
from shared.clock import local_date
from shared.logging import get_logger
from shared.uow import UnitOfWork

log = get_logger(__name__)


def dispatch_due_reminders(uow: UnitOfWork, command: DispatchDueReminders) -> int:
    """For each of the command's deadlines with reminders due, take the latest one (superseding the
    earlier ones) and create one delivery per recipient. Returns the number of deliveries created."""
    now = uow.clock.now()
    rows = uow.session.execute(
        select(Reminder, Deadline)
        .join(Deadline, Deadline.id == Reminder.deadline_id)
        .where(
            Reminder.status.in_(domain.UNSENT_REMINDER),
            Reminder.due_at <= now,
            Deadline.status == domain.REMINDED_DEADLINE,
            Reminder.deadline_id.in_(command.deadline_ids),
        )
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
        if domain.too_late_to_remind(deadline.reminders, deadline.due_at, deadline.timezone, now):
            log.info("session or ceremony already held; its reminder is not sent", deadline_id=deadline.id)
            for late, _ in pairs:
                late.status = domain.check_transition(domain.REMINDER, late.status, "cancelled")
            continue
        officials = command.officials.get(deadline.region_code)
        if officials is None:
            continue  # its officials could not be fetched: the next scan tries again
        created += _deliveries_for(uow, reminder, deadline, officials, command.escalation)
        for reminder_id in superseded:
            earlier = reminders[reminder_id]
            earlier.status = domain.check_transition(domain.REMINDER, earlier.status, "superseded")
        reminder.status = domain.check_transition(domain.REMINDER, reminder.status, "dispatched")
        reminder.dispatched_at = now
    return created


def _deliveries_for(
    uow: UnitOfWork,
    reminder: Reminder,
    deadline: Deadline,
    officials: Sequence[Mapping[str, Any]],
    escalation: Sequence[str],
) -> int:
    roles = domain.reminder_roles(deadline.reminders, deadline.audience, escalation, reminder.step)
    chosen = domain.recipients(officials, roles)
    if not chosen:
        log.warning("no official to remind", deadline_id=deadline.id, region_code=deadline.region_code, roles=roles)
        return 0
    today = local_date(uow.clock.now(), deadline.timezone)
    days_left = (local_date(deadline.due_at, deadline.timezone) - today).days
    if deadline.reminders == domain.DAY_BEFORE:
        template, context, calendar = "day_before_reminder.j2", _day_before_context(uow, deadline, days_left), None
    else:
        # The deadline's own all-day entry goes along, read from its row when the email is sent.
        template, context, calendar = "reminder.j2", _deadline_context(uow, reminder, deadline, days_left), True
    for official in chosen:
        add_delivery(
            uow,
            dedupe_key=reminder.id,
            official=official,
            region_code=deadline.region_code,
            kind=f"reminder_{reminder.kind}",
            template=template,
            context=context,
            calendar=calendar,
            correlation_id=deadline.correlation_id,
            deadline_id=deadline.id,
            reminder_id=reminder.id,
        )
    return len(chosen)


def _deadline_context(uow: UnitOfWork, reminder: Reminder, deadline: Deadline, days_left: int) -> dict[str, Any]:
    phrase_id, phrase_en = domain.describe_kind(reminder.kind, days_left)
    due_id, due_en = local_due_phrases(deadline.due_at, deadline.timezone)
    return {
        "title": deadline.title,
        "region_name": region_name_of(uow, deadline.region_code, deadline.region_name),
        "phrase_id": phrase_id,
        "phrase_en": phrase_en,
        "days_left": days_left,
        "due_local_id": due_id,
        "due_local_en": due_en,
        "overdue": reminder.kind.startswith("overdue_") or days_left < 0,
        "link": deadline.link,
    }


def _day_before_context(uow: UnitOfWork, deadline: Deadline, days_left: int) -> dict[str, Any]:
    day_id, day_en = weekday_date_phrases(local_date(deadline.due_at, deadline.timezone))
    timed = has_time_of_day(deadline.due_at, deadline.timezone)
    time_id, time_en = clock_phrases(deadline.due_at, deadline.timezone) if timed else (None, None)
    return {
        "title": deadline.title,
        "region_name": region_name_of(uow, deadline.region_code, deadline.region_name),
        # Sent late (the sweep was down), it may go out on the day itself; it never goes out after it.
        "today": days_left <= 0,
        "day_id": day_id,
        "day_en": day_en,
        "time_id": time_id,
        "time_en": time_en,
        "link": deadline.link,
    }
