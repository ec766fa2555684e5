"""A service's tables in an in-memory SQLite database, for unit tests of its use cases through commands."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import MetaData, create_engine, event, select
from sqlalchemy.pool import StaticPool

from shared.clock import FixedClock
from shared.db import make_session_factory
from shared.uow import UnitOfWork


@dataclass
class RecordingPublisher:
    """Keeps what would have gone to the broker: (queue, envelope) pairs."""

    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def send(self, queue: str, envelope: dict[str, Any]) -> None:
        self.sent.append((queue, envelope))


class MemoryService:
    """One service's schema in memory, a fixed clock, and units of work on it.

    ``uow()`` is what an entrypoint opens; ``events()`` lists what was recorded in the outbox by
    committed work, oldest first, as (type, data) pairs.
    """

    def __init__(self, metadata: MetaData, source: str, at: datetime | None = None) -> None:
        self.engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
        event.listen(self.engine, "connect", lambda conn, _record: conn.execute("PRAGMA foreign_keys=ON"))
        metadata.create_all(self.engine)
        self.metadata = metadata
        self.source = source
        self.sessions = make_session_factory(self.engine)
        self.clock = FixedClock(at or datetime(2023, 2, 28, 3, 0, tzinfo=UTC))

    def uow(self) -> UnitOfWork:
        return UnitOfWork(
            self.sessions,
            source=self.source,
            outbox=self.metadata.tables["outbox"],
            inbox=self.metadata.tables["inbox"],
            clock=self.clock,
            relay=None,
        )

    def run(self, handler: Any, command: Any) -> Any:
        """Open a unit of work, apply the command and commit, as a route does."""
        with self.uow() as uow:
            result = handler(uow, command)
            uow.commit()
            return result

    def events(self, event_type: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        outbox = self.metadata.tables["outbox"]
        with self.sessions() as session:
            rows = session.execute(select(outbox.c.type, outbox.c.envelope).order_by(outbox.c.created_at)).all()
        return [(t, e["data"]) for t, e in rows if event_type is None or t == event_type]
