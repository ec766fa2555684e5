"""Notification use cases: keep the deadline projection, dispatch due reminders, deliver email."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from services.notifications import domain
from services.notifications.directory import OfficialsDirectory
from services.notifications.mailer import (
    SmtpError,
    SmtpTransport,
    build_message,
    deadline_calendar,
    local_due_phrases,
    message_id,
    render,
    template_environment,
)
from services.notifications.orm import Deadline, Delivery, Reminder
from shared import events
from shared.config import ReminderPolicy, Settings
from shared.errors import NotFound, UpstreamUnavailable
from shared.logging import correlation, get_logger
from shared.uow import UnitOfWork

log = get_logger(__name__)


@dataclass
class Notifier:
    """Everything the use cases need besides the unit of work."""

    settings: Settings
    directory: OfficialsDirectory
    transport: SmtpTransport

    @property
    def policy(self) -> ReminderPolicy:
        return self.settings.reminder_policy


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
    for planned in domain.plan_reminders(data.due_at, data.timezone, policy):
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
    if deadline is None or envelope.occurred_at < deadline.last_event_at:
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
    """For each active deadline with reminders due, take the latest one (superseding earlier ones) and
    create one delivery per recipient. Returns the number of deliveries created."""
    now = uow.clock.now()
    rows = uow.session.execute(
        select(Reminder, Deadline)
        .join(Deadline, Deadline.id == Reminder.deadline_id)
        .where(Reminder.status == "pending", Reminder.due_at <= now, Deadline.status == "active")
        .order_by(Reminder.deadline_id, Reminder.due_at)
        .limit(limit)
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
    chosen = [o for o in officials if o.get("role") in roles and o.get("email")]
    if not chosen:
        log.warning("no official to remind", deadline_id=deadline.id, region_code=deadline.region_code, roles=roles)
        return 0
    phrase_id, phrase_en = domain.describe_kind(reminder.kind)
    due_id, due_en = local_due_phrases(deadline.due_at, deadline.timezone)
    created = 0
    seen: set[str] = set()
    for official in chosen:
        email = official["email"].lower()
        if email in seen:
            continue  # one person holding two roles gets one email
        seen.add(email)
        recipient_formal = domain.formal_name(
            official["name"], official.get("title"), official.get("acting"), official.get("position")
        )
        context = {
            "title": deadline.title,
            "region_name": deadline.region_name or deadline.region_code,
            "recipient_formal": recipient_formal,
            "phrase_id": phrase_id,
            "phrase_en": phrase_en,
            "due_local_id": due_id,
            "due_local_en": due_en,
            "overdue": reminder.kind.startswith("overdue_"),
            "link": deadline.link,
        }
        rendered = render(template_environment(), "reminder.j2", context)
        uow.session.add(
            Delivery(
                id=str(uuid.uuid4()),
                dedupe_key=reminder.id,
                reminder_id=reminder.id,
                deadline_id=deadline.id,
                region_code=deadline.region_code,
                kind=f"reminder_{reminder.kind}",
                recipient=email,
                recipient_name=recipient_formal,
                recipient_role=official["role"],
                subject=rendered.subject,
                message_id=message_id(reminder.id, email),
                payload={"template": "reminder.j2", "context": context, "calendar": True},
                status="pending",
                attempts=0,
                next_attempt_at=uow.clock.now(),
                correlation_id=deadline.correlation_id,
                created_at=uow.clock.now(),
            )
        )
        created += 1
    return created


# --- delivery -------------------------------------------------------------------------------


def deliver_due(uow_factory: Any, notifier: Notifier, limit: int = 200) -> dict[str, int]:
    """Send every delivery that is due. Each is claimed (pending/retrying -> sending) in its own committed
    transaction before the SMTP conversation, so no two workers ever send the same one."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    with uow_factory() as uow:
        now = uow.clock.now()
        due_ids = list(
            uow.session.scalars(
                select(Delivery.id)
                .where(Delivery.status.in_(("pending", "retrying")), Delivery.next_attempt_at <= now)
                .order_by(Delivery.next_attempt_at)
                .limit(limit)
            )
        )
    for delivery_id in due_ids:
        outcome = _deliver_one(uow_factory, notifier, delivery_id)
        if outcome:
            counts[outcome] += 1
    return counts


def _deliver_one(uow_factory: Any, notifier: Notifier, delivery_id: str) -> str | None:
    with uow_factory() as uow:
        claimed = uow.session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.status.in_(("pending", "retrying")))
            .values(status="sending", attempts=Delivery.attempts + 1)
        ).rowcount
        uow.commit()
        if claimed != 1:
            return None
        delivery = uow.session.get(Delivery, delivery_id)
        assert delivery is not None
        deadline = uow.session.get(Deadline, delivery.deadline_id) if delivery.deadline_id else None
        with correlation(delivery.correlation_id):
            message = _message_for(uow, notifier, delivery, deadline)
            try:
                notifier.transport.send(message)
            except SmtpError as exc:
                outcome = domain.classify_smtp_failure(
                    exc.code, exc.message, delivery.attempts, notifier.settings.smtp_max_attempts
                )
            else:
                outcome = domain.SendOutcome("sent", "250")
            _record_outcome(uow, notifier, delivery, outcome)
            uow.commit()
            log.info(
                "email " + outcome.status,
                delivery_id=delivery.id,
                recipient=delivery.recipient,
                kind=delivery.kind,
                detail=outcome.detail,
                attempts=delivery.attempts,
            )
            return outcome.status


def _message_for(uow: UnitOfWork, notifier: Notifier, delivery: Delivery, deadline: Deadline | None) -> Any:
    rendered = render(template_environment(), delivery.payload["template"], delivery.payload["context"])
    calendar = None
    if delivery.payload.get("calendar") and deadline is not None:
        calendar = deadline_calendar(deadline.id, deadline.title, deadline.due_at, deadline.timezone, uow.clock.now())
    return build_message(
        sender=notifier.settings.mail_from,
        recipient=delivery.recipient,
        recipient_name=delivery.recipient_name,
        rendered=rendered,
        msg_id=delivery.message_id,
        correlation_id=delivery.correlation_id,
        date=uow.clock.now(),
        calendar=calendar,
    )


def _record_outcome(uow: UnitOfWork, notifier: Notifier, delivery: Delivery, outcome: domain.SendOutcome) -> None:
    now = uow.clock.now()
    if outcome.status == "sent":
        delivery.status = "sent"
        delivery.sent_at = now
        delivery.last_error = None
    elif outcome.status == "retry":
        delivery.status = "retrying"
        delivery.last_error = outcome.detail
        delivery.next_attempt_at = now + domain.retry_delay(delivery.attempts, notifier.settings.smtp_retry_seconds)
        return
    else:
        delivery.status = "failed"
        delivery.last_error = outcome.detail
    data: dict[str, Any] = {
        "delivery_id": delivery.id,
        "region_code": delivery.region_code,
        "recipient": delivery.recipient,
        "kind": delivery.kind,
        "deadline_id": delivery.deadline_id,
    }
    if delivery.status == "sent":
        uow.record("notification.sent", delivery.region_code, events.NotificationSentV1(**data))
    else:
        uow.record(
            "notification.failed", delivery.region_code, events.NotificationFailedV1(**data, reason=outcome.detail)
        )


# --- reading ---------------------------------------------------------------------------------


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


def preview(uow: UnitOfWork, notifier: Notifier, region_code: str, as_of: datetime) -> list[dict[str, Any]]:
    """What the sweep would send for a region's pending reminders, and to whom, without sending."""
    rows = uow.session.execute(
        select(Reminder, Deadline)
        .join(Deadline, Deadline.id == Reminder.deadline_id)
        .where(Deadline.region_code == region_code, Deadline.status == "active", Reminder.status == "pending")
        .order_by(Reminder.due_at)
    ).all()
    officials = notifier.directory.officials(uow.session, region_code)
    out = []
    for reminder, deadline in rows:
        roles = domain.recipient_roles(deadline.audience, notifier.policy.escalation, reminder.step)
        out.append(
            {
                "deadline_id": deadline.id,
                "title": deadline.title,
                "kind": reminder.kind,
                "send_at": reminder.due_at.isoformat(),
                "due_now": reminder.due_at <= as_of,
                "recipients": [o["email"] for o in officials if o.get("role") in roles],
                "roles": roles,
            }
        )
    return out
