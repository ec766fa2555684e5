"""Idempotent consumption: an event's effect and its inbox row commit together, or neither does."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.events import Envelope, EventData, parse_envelope
from shared.logging import correlation, get_logger

if TYPE_CHECKING:
    from shared.uow import UnitOfWork

log = get_logger(__name__)

Handler = Callable[["UnitOfWork", Envelope, EventData], None]


def already_processed(session: Session, inbox: Table, event_id: str) -> bool:
    return session.execute(select(inbox.c.event_id).where(inbox.c.event_id == event_id)).first() is not None


def record_processed(session: Session, inbox: Table, envelope: Envelope, uow: UnitOfWork) -> None:
    session.execute(
        insert(inbox).values(
            event_id=str(envelope.id),
            type=envelope.type,
            correlation_id=envelope.correlation_id,
            processed_at=uow.clock.now(),
        )
    )


def consume(
    uow_factory: Callable[[], UnitOfWork],
    handlers: Mapping[str, Handler],
    raw: object,
) -> str:
    """Apply one incoming event exactly once. Returns 'processed', 'duplicate' or 'ignored'.

    Raises EventError for a message that does not match the catalogue (the caller drops it;
    retrying cannot fix it). Any other error propagates so the task is retried.
    """
    envelope, data = parse_envelope(raw)
    with correlation(envelope.correlation_id):
        event_id = str(envelope.id)
        handler = handlers.get(envelope.type)
        with uow_factory() as uow:
            if already_processed(uow.session, uow.inbox, event_id):
                log.info("duplicate event ignored", event_id=event_id, type=envelope.type)
                return "duplicate"
            if handler is not None:
                handler(uow, envelope, data)
            record_processed(uow.session, uow.inbox, envelope, uow)
            try:
                uow.commit()
            except IntegrityError:
                # Two workers took the same event at once; the other one's commit won.
                uow.rollback()
                with uow_factory() as check:
                    if already_processed(check.session, check.inbox, event_id):
                        log.info("concurrent duplicate event ignored", event_id=event_id, type=envelope.type)
                        return "duplicate"
                raise
        outcome = "processed" if handler is not None else "ignored"
        log.info("event consumed", event_id=event_id, type=envelope.type, outcome=outcome)
        return outcome
