"""The beat's two flows, each a few transactions by nature: due reminders become deliveries, and due
deliveries are claimed, sent over SMTP and recorded, one handler call and one commit per step."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from services.notifications import domain, handlers, views
from services.notifications.commands import ClaimDeliveries, ClaimDelivery, DispatchDueReminders, RecordDeliveryOutcome
from services.notifications.mail import (
    Letter,
    Letterhead,
    SmtpError,
    build_message,
    calendar_bytes,
    deadline_calendar,
    deadline_entry,
    render,
)
from services.notifications.notifier import Notifier
from services.notifications.orm import Delivery
from shared.errors import NotFound, UpstreamUnavailable
from shared.logging import correlation, get_logger
from shared.uow import UnitOfWork

log = get_logger(__name__)
UowFactory = Callable[[], UnitOfWork]


def scan_reminders(uow_factory: UowFactory, notifier: Notifier, limit: int = 500) -> int:
    """Turn due reminders into deliveries; returns how many deliveries were created.

    The regions' officials are fetched between two transactions, so no row stays locked while the
    assessment service answers; a region it cannot tell about keeps its reminders for the next scan.
    """
    with uow_factory() as uow:
        due = views.due_deadlines(uow, limit)
    if not due:
        return 0
    officials = {}
    for region_code in sorted(set(due.values())):
        try:
            officials[region_code] = tuple(notifier.directory.officials(region_code))
        except (UpstreamUnavailable, NotFound) as exc:
            for deadline_id in (d for d, region in due.items() if region == region_code):
                log.warning("officials unavailable; reminder postponed", deadline_id=deadline_id, error=exc.detail)
    ready = tuple(d for d, region in due.items() if region in officials)
    if not ready:
        return 0
    command = DispatchDueReminders(deadline_ids=ready, officials=officials, escalation=notifier.policy.escalation)
    with uow_factory() as uow:
        created = handlers.dispatch_due_reminders(uow, command)
        uow.commit()
    return created


def deliver_due(
    uow_factory: UowFactory, notifier: Notifier, limit: int = 200, batch: int = 20, senders: int = 1
) -> dict[str, int]:
    """Send every delivery that is due, ``batch`` at a time: the batch is claimed in one committed
    transaction before any SMTP conversation (so no two workers ever send the same one), sent over kept
    connections by ``senders`` threads, and its outcomes recorded in one transaction. Three commits per
    batch instead of per email; a worker that dies mid-batch leaves its claimed rows to be sent again, with
    the same Message-ID, when their lease ends."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    with uow_factory() as uow:
        due_ids = views.due_deliveries(uow, limit)
    batches = [due_ids[start : start + batch] for start in range(0, len(due_ids), batch)]
    if len(due_ids) > 1 and (senders > 1 or len(batches) > 1):
        with ThreadPoolExecutor(max_workers=max(1, senders), thread_name_prefix="smtp") as pool:
            outcomes = _deliver_overlapped(uow_factory, notifier, batches, pool)
    else:
        outcomes = []
        for ids in batches:
            claims, now = _claim(uow_factory, notifier, ids)
            outcomes += _record(uow_factory, notifier, [_sent(notifier, claim, now) for claim in claims])
    for outcome in outcomes:
        counts[outcome.status] += 1
    return counts


Sent = tuple[handlers.ClaimedDelivery, domain.SendOutcome]


def _deliver_overlapped(
    uow_factory: UowFactory, notifier: Notifier, batches: list[list[str]], pool: ThreadPoolExecutor
) -> list[domain.SendOutcome]:
    """Claiming, sending and recording as three stages that run at once: while the senders talk to the
    mail server about one batch, this thread claims the next and a recorder commits the one before. Each
    stage mostly waits for a server, so the waits hide behind each other instead of adding up. A batch is
    recorded once all of it is sent, in one transaction as before; at most two batches are claimed and
    unrecorded at a time, so a slow mail server never holds a long queue of leases."""
    recorded: list[Future[list[domain.SendOutcome]]] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="record") as recorder:
        for ids in batches:
            if len(recorded) >= 2:
                recorded[-2].result()
            claims, now = _claim(uow_factory, notifier, ids)
            sending = [pool.submit(_sent, notifier, claim, now) for claim in claims]
            recorded.append(recorder.submit(_record_when_sent, uow_factory, notifier, sending))
        return [outcome for batch in recorded for outcome in batch.result()]


def _record_when_sent(
    uow_factory: UowFactory, notifier: Notifier, sending: list[Future[Sent]]
) -> list[domain.SendOutcome]:
    return _record(uow_factory, notifier, [future.result() for future in sending])


def _claim(
    uow_factory: UowFactory, notifier: Notifier, delivery_ids: list[str]
) -> tuple[list[handlers.ClaimedDelivery], datetime]:
    lease = notifier.settings.delivery_lease_seconds
    with uow_factory() as uow:
        claims = handlers.claim_deliveries(uow, ClaimDeliveries(tuple(delivery_ids), lease))
        uow.commit()
        now = uow.clock.now()
    return claims, now


def _sent(notifier: Notifier, claim: handlers.ClaimedDelivery, now: datetime) -> Sent:
    with correlation(claim.correlation_id):
        return claim, _send(notifier, claim, now)


def _record(uow_factory: UowFactory, notifier: Notifier, sent: list[Sent]) -> list[domain.SendOutcome]:
    if not sent:
        return []
    with uow_factory() as uow:
        # The batch's rows in one query, so each record finds its row in the session.
        rows = _load(uow, select(Delivery).where(Delivery.id.in_([claim.id for claim, _ in sent])))
        for claim, outcome in sent:
            with correlation(claim.correlation_id):
                handlers.record_delivery_outcome(
                    uow,
                    RecordDeliveryOutcome(claim.id, outcome, notifier.settings.smtp_retry_seconds, claim.attempts),
                )
        uow.commit()
        del rows
    for claim, outcome in sent:
        with correlation(claim.correlation_id):
            log.info(
                "email " + outcome.status,
                delivery_id=claim.id,
                recipient=claim.recipient,
                kind=claim.kind,
                detail=outcome.detail,
                attempts=claim.attempts,
            )
    return [outcome for _, outcome in sent]


def _load(uow: UnitOfWork, query: Select[Any]) -> list[Any]:
    """Rows read ahead into the session. The session holds unchanged rows weakly: the caller keeps the list
    until it is done, or they are dropped before anyone looks them up."""
    return list(uow.session.scalars(query))


def deliver_one(uow_factory: UowFactory, notifier: Notifier, delivery_id: str) -> domain.SendOutcome | None:
    """Claim, send and record one delivery; None when it was not ours to send."""
    with uow_factory() as uow:
        claim = handlers.claim_delivery(uow, ClaimDelivery(delivery_id, notifier.settings.delivery_lease_seconds))
        uow.commit()
        now = uow.clock.now()
    if claim is None:
        return None  # another worker has it, or it was already sent
    with correlation(claim.correlation_id):
        # From here until the outcome is committed the row says 'sending': if the worker dies in between,
        # the row is claimed again once its lease ends and sent with the same Message-ID (at least once;
        # docs/notifications.md says why).
        outcome = _send(notifier, claim, now)
        with uow_factory() as uow:
            handlers.record_delivery_outcome(
                uow,
                RecordDeliveryOutcome(claim.id, outcome, notifier.settings.smtp_retry_seconds, claim.attempts),
            )
            uow.commit()
        log.info(
            "email " + outcome.status,
            delivery_id=claim.id,
            recipient=claim.recipient,
            kind=claim.kind,
            detail=outcome.detail,
            attempts=claim.attempts,
        )
    return outcome


def _send(notifier: Notifier, claim: handlers.ClaimedDelivery, now: datetime) -> domain.SendOutcome:
    try:
        message = message_for(claim, notifier.settings.mail_from, now, Letterhead.from_settings(notifier.settings))
    except Exception as exc:  # a broken template or calendar will not mend itself by retrying
        log.exception("could not build the email", delivery_id=claim.id)
        return domain.SendOutcome("failed", f"could not build the email: {exc.__class__.__name__}: {exc}"[:2000])
    try:
        notifier.transport.send(message)
    except SmtpError as exc:
        return domain.classify_smtp_failure(exc.code, exc.message, claim.attempts, notifier.settings.smtp_max_attempts)
    return domain.SendOutcome("sent", "250")


def message_for(
    claim: handlers.ClaimedDelivery, mail_from: str, now: datetime, letterhead: Letterhead | None = None
) -> Letter:
    """The email of a claimed delivery, built afresh from its stored template, context and calendar, and
    signed with the sender the settings name now."""
    payload = claim.payload
    rendered = render(payload["template"], payload["context"], letterhead)
    spec = payload.get("calendar")
    calendar, method, filename = None, "PUBLISH", "tenggat.ics"
    if spec is True and claim.deadline is not None:
        # Read from the deadline's row when the email is sent: a moved deadline's entry moves with it.
        d = claim.deadline
        entry = deadline_entry(d.id, d.title, d.region_name, d.due_at, d.timezone, d.sequence)
        calendar = deadline_calendar(entry, d.timezone, now)
    elif isinstance(spec, dict):
        calendar = calendar_bytes(spec, now, attendee=claim.recipient)
        method, filename = spec.get("method", "PUBLISH"), spec.get("filename", "undangan.ics")
    return build_message(
        sender=mail_from,
        recipient=claim.recipient,
        recipient_name=payload.get("display_name", ""),
        rendered=rendered,
        msg_id=claim.message_id,
        correlation_id=claim.correlation_id,
        date=now,
        calendar=calendar,
        calendar_method=method,
        calendar_name=filename,
    )
