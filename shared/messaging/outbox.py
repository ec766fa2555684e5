"""Transactional outbox: events are rows written with the change, then relayed to the broker."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from shared.clock import Clock
from shared.events import Envelope
from shared.logging import get_logger
from shared.messaging.tables import plan_for_these_ids
from shared.routing import subscribers

log = get_logger(__name__)


class Publisher(Protocol):
    """Puts one message for one subscriber queue on the broker, or raises. A publisher may also offer
    ``send_batch(queue, envelopes)``: several events in one message, applied by the consumer in one
    transaction; the relay uses it when it has more than one event for a queue."""

    def send(self, queue: str, envelope: dict[str, Any]) -> None: ...


# Events per broker message when the relay batches: large enough to amortise a message's and a
# transaction's fixed cost, small enough that one failing event sends few others back to be retried alone.
BATCH_SIZE = 50


def add_to_outbox(session: Session, outbox: Table, envelope: Envelope) -> None:
    add_all_to_outbox(session, outbox, [envelope])


def add_all_to_outbox(session: Session, outbox: Table, envelopes: Sequence[Envelope]) -> None:
    """The transaction's events as outbox rows, in one multi-row INSERT."""
    session.execute(
        insert(outbox),
        [
            {
                "id": str(envelope.id),
                "type": envelope.type,
                "subject": envelope.subject,
                "envelope": envelope.to_json_dict(),
                "created_at": envelope.occurred_at,
                "published_at": None,
                "attempts": 0,
            }
            for envelope in envelopes
        ],
    )


@dataclass
class SweepResult:
    published: int = 0
    failed: int = 0


class OutboxRelay:
    """Publishes outbox rows: right after commit for fresh events, and by a periodic sweep.

    Each row is locked while it is published (FOR UPDATE SKIP LOCKED on PostgreSQL), so the
    after-commit path and a sweep never send the same row at the same time. A crash between
    the broker's acceptance and the ``published_at`` mark can still send a row twice; the
    consumers' inbox makes that harmless.
    """

    def __init__(self, session_factory: sessionmaker, outbox: Table, publisher: Publisher, clock: Clock) -> None:
        self._sessions = session_factory
        self._outbox = outbox
        self._publisher = publisher
        self._clock = clock

    def publish(self, event_ids: Iterable[str]) -> SweepResult:
        """Publish the events a transaction just committed: one session, one lock, one message per
        subscriber queue (batched) and one mark, however many events the transaction recorded."""
        result = SweepResult()
        ids = list(event_ids)
        if not ids:
            return result
        with self._sessions() as session:
            plan_for_these_ids(session, wait_for_disk=False)
            rows = session.execute(
                select(self._outbox)
                .where(self._outbox.c.id.in_(ids), self._outbox.c.published_at.is_(None))
                .order_by(self._outbox.c.created_at)
                .with_for_update(skip_locked=True)
            ).all()
            # Rows already published, or held by a sweep right now, are simply not returned.
            self._publish_rows(session, rows, result)
        return result

    def sweep(self, grace: timedelta = timedelta(seconds=10), batch: int = 200) -> SweepResult:
        """Republish rows left unpublished for longer than ``grace`` (e.g. a crash after commit)."""
        result = SweepResult()
        cutoff = self._clock.now() - grace
        with self._sessions() as session:
            plan_for_these_ids(session, wait_for_disk=False)
            rows = session.execute(
                select(self._outbox)
                .where(self._outbox.c.published_at.is_(None), self._outbox.c.created_at <= cutoff)
                .order_by(self._outbox.c.created_at)
                .limit(batch)
                .with_for_update(skip_locked=True)
            ).all()
            self._publish_rows(session, rows, result)
        if result.published or result.failed:
            log.info("outbox swept", published=result.published, failed=result.failed)
        return result

    def pending(self) -> int:
        with self._sessions() as session:
            return session.scalar(
                select(func.count()).select_from(self._outbox).where(self._outbox.c.published_at.is_(None))
            )

    def _publish_rows(self, session: Session, rows: Sequence[Any], result: SweepResult) -> None:
        """Send ``rows`` (locked by ``session``) grouped per subscriber queue, then mark them and commit."""
        if not rows:
            session.commit()
            return
        per_queue: dict[str, list[Any]] = {}
        for row in rows:
            for queue in subscribers(row.type):
                per_queue.setdefault(queue, []).append(row)
        errors: dict[str, str] = {}
        for queue, queued in per_queue.items():
            for start in range(0, len(queued), BATCH_SIZE):
                chunk = [row for row in queued[start : start + BATCH_SIZE] if row.id not in errors]
                try:
                    self._send(queue, [row.envelope for row in chunk])
                except Exception as exc:  # any broker failure leaves the rows for the next sweep
                    for row in chunk:
                        errors[row.id] = str(exc)[:2000]
                        log.warning(
                            "outbox publish failed; the sweep will retry",
                            event_id=row.id,
                            type=row.type,
                            error=str(exc),
                        )
        published = [row.id for row in rows if row.id not in errors]
        # The transaction began without synchronous commit (``plan_for_these_ids``): losing this mark in a
        # crash only makes the sweep send the rows again, which the consumers' inbox absorbs.
        if published:
            session.execute(
                update(self._outbox)
                .where(self._outbox.c.id.in_(published))
                .values(published_at=self._clock.now(), attempts=self._outbox.c.attempts + 1, last_error=None)
            )
        for error in set(errors.values()):
            failed = [event_id for event_id, message in errors.items() if message == error]
            session.execute(
                update(self._outbox)
                .where(self._outbox.c.id.in_(failed))
                .values(attempts=self._outbox.c.attempts + 1, last_error=error)
            )
        session.commit()
        result.published += len(published)
        result.failed += len(errors)
        for row in rows:
            if row.id not in errors:
                log.info("event published", event_id=row.id, type=row.type, subject=row.subject)

    def _send(self, queue: str, envelopes: list[dict[str, Any]]) -> None:
        send_batch = getattr(self._publisher, "send_batch", None)
        if len(envelopes) > 1 and send_batch is not None:
            send_batch(queue, envelopes)
        else:
            for envelope in envelopes:
                self._publisher.send(queue, envelope)
