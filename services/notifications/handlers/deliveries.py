"""Deliveries: one row per (reminder or notice, recipient), claimed before it is sent, then its outcome."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from services.notifications import domain
from services.notifications.commands import ClaimDeliveries, ClaimDelivery, RecordDeliveryOutcome, ResendDelivery
from services.notifications.mail import message_id, render
from services.notifications.mail.wording import region_label
from services.notifications.orm import Deadline, Delivery
from shared import events
from shared.errors import NotFound
from shared.uow import UnitOfWork


@dataclass(frozen=True)
class DeadlineEntry:
    """What the calendar attachment of a reminder needs to know about its deadline."""

    id: str
    title: str
    region_name: str
    due_at: datetime
    timezone: str
    # Raised by every change of the deadline, so calendars replace their copy: the publisher's version
    # where it sends one, else the count of plans (generation).
    sequence: int


@dataclass(frozen=True)
class ClaimedDelivery:
    """A delivery taken for sending: everything its email is built from, read in the claiming transaction."""

    id: str
    region_code: str
    kind: str
    recipient: str
    message_id: str
    correlation_id: str | None
    attempts: int
    payload: Mapping[str, Any]
    deadline: DeadlineEntry | None


def add_delivery(
    uow: UnitOfWork,
    *,
    dedupe_key: str,
    official: Mapping[str, Any],
    region_code: str,
    kind: str,
    template: str,
    context: dict[str, Any],
    calendar: bool | dict[str, Any] | None,
    correlation_id: str | None,
    deadline_id: str | None = None,
    reminder_id: str | None = None,
) -> Delivery:
    """A pending email to one official; rendered now so the log shows its subject."""
    email = official["email"].lower()
    recipient_formal = domain.formal_name(
        official["name"], official.get("title"), official.get("acting"), official.get("position")
    )
    context = {**context, "recipient_formal": recipient_formal}
    rendered = render(template, context)
    now = uow.clock.now()
    delivery = Delivery(
        id=str(uuid.uuid4()),
        dedupe_key=dedupe_key,
        reminder_id=reminder_id,
        deadline_id=deadline_id,
        region_code=region_code,
        kind=kind,
        recipient=email,
        recipient_name=recipient_formal,
        recipient_role=official["role"],
        subject=rendered.subject[:300],
        message_id=message_id(dedupe_key, email),
        payload={"template": template, "context": context, "calendar": calendar, "display_name": official["name"]},
        status=domain.check_transition(domain.DELIVERY, None, "pending"),
        attempts=0,
        next_attempt_at=now,
        correlation_id=correlation_id,
        created_at=now,
    )
    uow.session.add(delivery)
    return delivery


def claim_delivery(uow: UnitOfWork, command: ClaimDelivery) -> ClaimedDelivery | None:
    """Move a due delivery to 'sending' and count the attempt; None if it is not due or someone else has it.

    One conditional UPDATE, so of two workers racing for the row exactly one matches it. The claim is a
    lease: while 'sending', ``next_attempt_at`` is when the lease ends, and only a row whose lease ran out
    (its worker died between the SMTP answer and the record) is claimed again.
    """
    now = uow.clock.now()
    lease_end = now + timedelta(seconds=command.lease_seconds)
    claimed = uow.session.execute(
        update(Delivery)
        .where(
            Delivery.id == command.delivery_id,
            Delivery.status.in_(domain.CLAIMABLE_DELIVERY),
            Delivery.next_attempt_at <= now,
        )
        .values(status="sending", attempts=Delivery.attempts + 1, next_attempt_at=lease_end)
    ).rowcount
    if claimed != 1:
        return None
    delivery = uow.session.get(Delivery, command.delivery_id, populate_existing=True)
    assert delivery is not None
    deadline = None
    if delivery.payload.get("calendar") is True and delivery.deadline_id:
        row = uow.session.get(Deadline, delivery.deadline_id)
        if row is not None:
            region_name = region_label(row.region_name, row.region_code)
            sequence = row.version if row.version is not None else row.generation
            deadline = DeadlineEntry(row.id, row.title, region_name, row.due_at, row.timezone, sequence)
    return ClaimedDelivery(
        id=delivery.id,
        region_code=delivery.region_code,
        kind=delivery.kind,
        recipient=delivery.recipient,
        message_id=delivery.message_id,
        correlation_id=delivery.correlation_id,
        attempts=delivery.attempts,
        payload=delivery.payload,
        deadline=deadline,
    )


def record_delivery_outcome(uow: UnitOfWork, command: RecordDeliveryOutcome) -> str:
    """Store the server's answer for a claimed delivery, with a notification.sent or .failed event
    unless it is retried later. Returns the delivery's new status."""
    delivery = uow.session.get(Delivery, command.delivery_id)
    if delivery is None:
        raise NotFound(f"no delivery {command.delivery_id}")
    outcome = command.outcome
    now = uow.clock.now()
    if command.attempt is not None and (delivery.status != "sending" or delivery.attempts != command.attempt):
        # Our lease ran out and another worker claimed the row since: its record is the one that counts.
        return delivery.status
    delivery.status = domain.check_transition(domain.DELIVERY, delivery.status, domain.OUTCOME_STATUS[outcome.status])
    if outcome.status == "retry":
        delivery.last_error = outcome.detail
        delivery.next_attempt_at = now + domain.retry_delay(delivery.attempts, command.retry_seconds)
        return delivery.status
    data: dict[str, Any] = {
        "delivery_id": delivery.id,
        "region_code": delivery.region_code,
        "recipient": delivery.recipient,
        "kind": delivery.kind,
        "deadline_id": delivery.deadline_id,
    }
    if outcome.status == "sent":
        delivery.sent_at = now
        delivery.last_error = None
        uow.record("notification.sent", delivery.region_code, events.NotificationSentV1(**data))
    else:
        delivery.last_error = outcome.detail
        uow.record(
            "notification.failed", delivery.region_code, events.NotificationFailedV1(**data, reason=outcome.detail)
        )
    return delivery.status


def resend_delivery(uow: UnitOfWork, command: ResendDelivery) -> Delivery:
    """A failed delivery back to 'pending', due at once; the next delivery run sends it as usual."""
    delivery = uow.session.get(Delivery, command.delivery_id, with_for_update=True)
    if delivery is None:
        raise NotFound(f"no delivery {command.delivery_id}")
    delivery.status = domain.check_transition(domain.DELIVERY, delivery.status, "pending")
    # A fresh count: the retry policy applies to the resend as it did to the first sending.
    delivery.attempts = 0
    delivery.next_attempt_at = uow.clock.now()
    delivery.last_error = f"resent by {command.actor}; previously: {delivery.last_error or 'failed'}"[:2000]
    return delivery


def claim_deliveries(uow: UnitOfWork, command: ClaimDeliveries) -> list[ClaimedDelivery]:
    """``claim_delivery`` for a batch in one statement: the deliveries among ``delivery_ids`` that are due
    and unclaimed move to 'sending' (the others are someone else's, or sent), in the order given."""
    now = uow.clock.now()
    lease_end = now + timedelta(seconds=command.lease_seconds)
    rows = uow.session.scalars(
        update(Delivery)
        .where(
            Delivery.id.in_(command.delivery_ids),
            Delivery.status.in_(domain.CLAIMABLE_DELIVERY),
            Delivery.next_attempt_at <= now,
        )
        .values(status="sending", attempts=Delivery.attempts + 1, next_attempt_at=lease_end)
        .returning(Delivery),
        execution_options={"populate_existing": True, "synchronize_session": False},
    ).all()
    wanted = {row.deadline_id for row in rows if row.payload.get("calendar") is True and row.deadline_id}
    deadlines = {}
    if wanted:
        for row in uow.session.scalars(select(Deadline).where(Deadline.id.in_(wanted))):
            sequence = row.version if row.version is not None else row.generation
            region_name = region_label(row.region_name, row.region_code)
            deadlines[row.id] = DeadlineEntry(row.id, row.title, region_name, row.due_at, row.timezone, sequence)
    order = {delivery_id: index for index, delivery_id in enumerate(command.delivery_ids)}
    return [
        ClaimedDelivery(
            id=d.id,
            region_code=d.region_code,
            kind=d.kind,
            recipient=d.recipient,
            message_id=d.message_id,
            correlation_id=d.correlation_id,
            attempts=d.attempts,
            payload=d.payload,
            deadline=deadlines.get(d.deadline_id) if d.payload.get("calendar") is True else None,
        )
        for d in sorted(rows, key=lambda d: order[d.id])
    ]
