"""Email delivery: one claimed row per (reminder or notice, recipient), sent once, retried or failed."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select, update

from services.notifications import domain
from services.notifications.handlers.notifier import Notifier
from services.notifications.mailer import (
    SmtpError,
    build_message,
    calendar_bytes,
    deadline_calendar,
    message_id,
    render,
    template_environment,
)
from services.notifications.orm import Deadline, Delivery
from shared import events
from shared.logging import correlation, get_logger
from shared.uow import UnitOfWork

log = get_logger(__name__)


def recipients(officials: Iterable[dict[str, Any]], roles: Iterable[str]) -> list[dict[str, Any]]:
    """The officials holding ``roles`` who have an address, one entry per address, in role order."""
    wanted = list(roles)
    chosen = sorted(
        (o for o in officials if o.get("role") in wanted and o.get("email")), key=lambda o: wanted.index(o["role"])
    )
    seen: set[str] = set()
    out = []
    for official in chosen:
        email = official["email"].lower()
        if email not in seen:  # one person holding two roles gets one email
            seen.add(email)
            out.append(official)
    return out


def add_delivery(
    uow: UnitOfWork,
    *,
    dedupe_key: str,
    official: dict[str, Any],
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
    rendered = render(template_environment(), template, context)
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
        status="pending",
        attempts=0,
        next_attempt_at=now,
        correlation_id=correlation_id,
        created_at=now,
    )
    uow.session.add(delivery)
    return delivery


def deliver_due(uow_factory: Callable[[], UnitOfWork], notifier: Notifier, limit: int = 200) -> dict[str, int]:
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


def _deliver_one(uow_factory: Callable[[], UnitOfWork], notifier: Notifier, delivery_id: str) -> str | None:
    with uow_factory() as uow:
        now = uow.clock.now()
        claimed = uow.session.execute(
            update(Delivery)
            .where(
                Delivery.id == delivery_id,
                Delivery.status.in_(("pending", "retrying")),
                Delivery.next_attempt_at <= now,
            )
            .values(status="sending", attempts=Delivery.attempts + 1)
        ).rowcount
        uow.commit()
        if claimed != 1:
            return None  # another worker has it, or it was already sent
        delivery = uow.session.get(Delivery, delivery_id)
        assert delivery is not None
        with correlation(delivery.correlation_id):
            # From here until the outcome is committed the row says 'sending': if the worker dies in
            # between, nothing resends it (at most once); docs/notifications.md says what operators do.
            try:
                message = message_for(uow, notifier, delivery)
            except Exception as exc:  # a broken template or calendar will not mend itself by retrying
                log.exception("could not build the email", delivery_id=delivery.id)
                _record_outcome(
                    uow,
                    notifier,
                    delivery,
                    domain.SendOutcome("failed", f"could not build the email: {exc.__class__.__name__}: {exc}"[:2000]),
                )
                uow.commit()
                return "failed"
            try:
                notifier.transport.send(message)
            except SmtpError as exc:
                outcome = domain.classify_smtp_failure(
                    exc.code, exc.message, delivery.attempts, notifier.settings.notifications.smtp_max_attempts
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


def message_for(uow: UnitOfWork, notifier: Notifier, delivery: Delivery) -> EmailMessage:
    """The email of a delivery, built afresh from its stored template, context and calendar."""
    rendered = render(template_environment(), delivery.payload["template"], delivery.payload["context"])
    spec = delivery.payload.get("calendar")
    calendar, method, filename = None, "PUBLISH", "tenggat.ics"
    if spec is True and delivery.deadline_id:
        deadline = uow.session.get(Deadline, delivery.deadline_id)
        if deadline is not None:
            calendar = deadline_calendar(
                deadline.id, deadline.title, deadline.due_at, deadline.timezone, uow.clock.now()
            )
    elif isinstance(spec, dict):
        calendar = calendar_bytes(spec, uow.clock.now(), attendee=delivery.recipient)
        method, filename = spec.get("method", "PUBLISH"), spec.get("filename", "undangan.ics")
    return build_message(
        sender=notifier.settings.notifications.mail_from,
        recipient=delivery.recipient,
        recipient_name=delivery.payload.get("display_name", ""),
        rendered=rendered,
        msg_id=delivery.message_id,
        correlation_id=delivery.correlation_id,
        date=uow.clock.now(),
        calendar=calendar,
        calendar_method=method,
        calendar_name=filename,
    )


def _record_outcome(uow: UnitOfWork, notifier: Notifier, delivery: Delivery, outcome: domain.SendOutcome) -> None:
    now = uow.clock.now()
    if outcome.status == "retry":
        delivery.status = "retrying"
        delivery.last_error = outcome.detail
        retry_seconds = notifier.settings.notifications.smtp_retry_seconds
        delivery.next_attempt_at = now + domain.retry_delay(delivery.attempts, retry_seconds)
        return
    data: dict[str, Any] = {
        "delivery_id": delivery.id,
        "region_code": delivery.region_code,
        "recipient": delivery.recipient,
        "kind": delivery.kind,
        "deadline_id": delivery.deadline_id,
    }
    if outcome.status == "sent":
        delivery.status = "sent"
        delivery.sent_at = now
        delivery.last_error = None
        uow.record("notification.sent", delivery.region_code, events.NotificationSentV1(**data))
    else:
        delivery.status = "failed"
        delivery.last_error = outcome.detail
        uow.record(
            "notification.failed", delivery.region_code, events.NotificationFailedV1(**data, reason=outcome.detail)
        )
