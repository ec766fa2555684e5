"""The console's unit of work: one transaction on its own database, rolled back unless committed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from shared.clock import Clock


class UnitOfWork:
    """Like the services' unit of work, without an outbox: the console publishes no events."""

    def __init__(self, session_factory: sessionmaker, clock: Clock) -> None:
        self._session_factory = session_factory
        self.clock = clock
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.rollback()
        self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
