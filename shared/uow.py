"""Unit of work: one transaction for a change and the events it causes; rolls back unless committed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.orm import Session, sessionmaker

from shared.clock import Clock
from shared.events import Envelope, EventData, new_event
from shared.logging import ensure_correlation_id
from shared.messaging.outbox import OutboxRelay, add_all_to_outbox

Step = TypeVar("Step", bound=Callable[[], object])


class UnitOfWork:
    def __init__(
        self,
        session_factory: sessionmaker,
        *,
        source: str,
        outbox: Table,
        inbox: Table,
        clock: Clock,
        relay: OutboxRelay | None,
        read_only: bool = False,
    ) -> None:
        self._session_factory = session_factory
        self.source = source
        self.outbox = outbox
        self.inbox = inbox
        self.clock = clock
        self._relay = relay
        self._pending: list[Envelope] = []
        self._before_commit: dict[str, Callable[[], object]] = {}
        self.read_only = read_only
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self._pending = []
        self._before_commit = {}
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self.read_only:
            # A read changed nothing: closing ends its transaction without the rollback's expiring of every
            # object it loaded, which for a list of hundreds of rows costs more than the query.
            self._pending = []
            self._before_commit = {}
            self.session.close()
            return
        self.rollback()
        self.session.close()

    def record(self, event_type: str, subject: str, data: EventData) -> Envelope:
        """Add an event to this transaction's outbox; it is stored and published only if we commit."""
        envelope = new_event(
            event_type,
            source=self.source,
            subject=subject,
            data=data,
            occurred_at=self.clock.now(),
            correlation_id=ensure_correlation_id(),
        )
        # Written at commit, with the transaction's other events in one INSERT: a use case that records
        # fifty events (a selection, a mentoring plan) then costs one statement, not fifty.
        self._pending.append(envelope)
        return envelope

    def before_commit(self, key: str, make: Callable[[], Step]) -> Step:
        """The step this transaction runs under ``key`` just before it commits, made by ``make()`` on first
        use: work gathered through the transaction and done in one statement at its end (the versions of
        every deadline it changed). It runs before the outbox is written, so it may still fill in events."""
        step = self._before_commit.get(key)
        if step is None:
            step = self._before_commit[key] = make()
        return step  # type: ignore[return-value]

    def commit(self, *, publish: bool = True) -> list[Envelope]:
        """Commit, then hand the recorded events to the relay. ``publish=False`` models a crash
        between commit and publish: the rows wait for the sweep."""
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        steps, self._before_commit = list(self._before_commit.values()), {}
        for step in steps:
            step()
        if self._pending:
            add_all_to_outbox(self.session, self.outbox, self._pending)
        self.session.commit()
        committed, self._pending = self._pending, []
        if publish and committed and self._relay is not None:
            self._relay.publish(str(e.id) for e in committed)
        return committed

    def rollback(self) -> None:
        self._pending = []
        self._before_commit = {}
        self.session.rollback()
