"""Transactional outbox: events are rows written with the change, then relayed to the broker."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from shared.clock import Clock
from shared.events import Envelope
from shared.logging import get_logger
from shared.routing import subscribers

log = get_logger(__name__)


class Publisher(Protocol):
    """Puts one message for one subscriber queue on the broker, or raises."""

    def send(self, queue: str, envelope: dict[str, Any]) -> None: ...


def add_to_outbox(session: Session, outbox: Table, envelope: Envelope) -> None:
    session.execute(
        insert(outbox).values(
            id=str(envelope.id),
            type=envelope.type,
            subject=envelope.subject,
            envelope=envelope.to_json_dict(),
            created_at=envelope.occurred_at,
            published_at=None,
            attempts=0,
        )
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
        result = SweepResult()
        for event_id in event_ids:
            with self._sessions() as session:
                row = session.execute(
                    select(self._outbox)
                    .where(self._outbox.c.id == event_id, self._outbox.c.published_at.is_(None))
                    .with_for_update(skip_locked=True)
                ).first()
                if row is None:
                    continue  # already published, or a sweep holds it right now
                self._publish_row(session, row, result)
        return result

    def sweep(self, grace: timedelta = timedelta(seconds=10), batch: int = 200) -> SweepResult:
        """Republish rows left unpublished for longer than ``grace`` (e.g. a crash after commit)."""
        result = SweepResult()
        cutoff = self._clock.now() - grace
        with self._sessions() as session:
            rows = session.execute(
                select(self._outbox)
                .where(self._outbox.c.published_at.is_(None), self._outbox.c.created_at <= cutoff)
                .order_by(self._outbox.c.created_at)
                .limit(batch)
                .with_for_update(skip_locked=True)
            ).all()
            for row in rows:
                self._publish_row(session, row, result, commit=False)
            session.commit()
        if result.published or result.failed:
            log.info("outbox swept", published=result.published, failed=result.failed)
        return result

    def pending(self) -> int:
        with self._sessions() as session:
            return len(session.execute(select(self._outbox.c.id).where(self._outbox.c.published_at.is_(None))).all())

    def _publish_row(self, session: Session, row: Any, result: SweepResult, commit: bool = True) -> None:
        try:
            for queue in subscribers(row.type):
                self._publisher.send(queue, row.envelope)
        except Exception as exc:  # any broker failure leaves the row for the next sweep
            result.failed += 1
            log.warning("outbox publish failed; the sweep will retry", event_id=row.id, type=row.type, error=str(exc))
            session.execute(
                update(self._outbox)
                .where(self._outbox.c.id == row.id)
                .values(attempts=self._outbox.c.attempts + 1, last_error=str(exc)[:2000])
            )
        else:
            result.published += 1
            session.execute(
                update(self._outbox)
                .where(self._outbox.c.id == row.id)
                .values(published_at=self._clock.now(), attempts=self._outbox.c.attempts + 1, last_error=None)
            )
            log.info("event published", event_id=row.id, type=row.type, subject=row.subject)
        if commit:
            session.commit()
