"""Idempotent consumption: an event's effect and its inbox row commit together, or neither does."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.events import Envelope, EventData, parse_envelope
from shared.logging import correlation, get_logger
from shared.messaging.tables import plan_for_these_ids

if TYPE_CHECKING:
    from shared.uow import UnitOfWork

log = get_logger(__name__)


@dataclass(frozen=True)
class Subscription:
    """How one event type becomes a use case of the consuming service.

    ``command`` builds the use case's command from the event. It runs before the consumer's transaction
    opens, so it may call another service over HTTP without holding database locks while it waits.
    ``handler(uow, command)`` then applies it; it never commits: the consumer commits the effect and the
    inbox row together.

    ``batch(uow, commands)``, when given, applies several commands at once with the effect of applying them
    one by one through ``handler``: a batch hands it each run of consecutive events whose subscriptions
    share it, so a projection can read and write its rows once per run instead of once per event.
    """

    command: Callable[[Envelope, EventData], Any]
    handler: Callable[[UnitOfWork, Any], Any]
    batch: Callable[[UnitOfWork, list[Any]], Any] | None = None


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
    subscriptions: Mapping[str, Subscription],
    raw: object,
) -> str:
    """Apply one incoming event exactly once. Returns 'processed', 'duplicate' or 'ignored'.

    Raises EventError for a message that does not match the catalogue (the caller parks it;
    retrying cannot fix it). Any other error propagates so the task is retried.
    """
    envelope, data = parse_envelope(raw)
    with correlation(envelope.correlation_id):
        event_id = str(envelope.id)
        subscription = subscriptions.get(envelope.type)
        command = subscription.command(envelope, data) if subscription is not None else None
        with uow_factory() as uow:
            if already_processed(uow.session, uow.inbox, event_id):
                log.info("duplicate event ignored", event_id=event_id, type=envelope.type)
                return "duplicate"
            if subscription is not None:
                subscription.handler(uow, command)
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
        outcome = "processed" if subscription is not None else "ignored"
        log.info("event consumed", event_id=event_id, type=envelope.type, outcome=outcome)
        return outcome


def consume_batch(
    uow_factory: Callable[[], UnitOfWork],
    subscriptions: Mapping[str, Subscription],
    raws: list[object],
) -> list[tuple[dict[str, Any], str]]:
    """Apply a batch of events in one transaction: one inbox lookup, each handler (or one call of a batch
    handler per run of its events), one inbox insert and one commit for them all. Returns (envelope,
    outcome) per event, in order.

    Any error raises, and nothing of the batch is kept: the caller then applies each event on its own
    through ``consume``, where one bad event is retried or parked without holding back the others.
    """
    parsed = [parse_envelope(raw) for raw in raws]
    # A command builder may call another service: all of them run before the transaction opens.
    commands = []
    for envelope, data in parsed:
        subscription = subscriptions.get(envelope.type)
        with correlation(envelope.correlation_id):
            commands.append(subscription.command(envelope, data) if subscription is not None else None)
    outcomes: list[tuple[dict[str, Any], str]] = []
    with uow_factory() as uow:
        plan_for_these_ids(uow.session)
        ids = [str(envelope.id) for envelope, _ in parsed]
        seen = set(uow.session.scalars(select(uow.inbox.c.event_id).where(uow.inbox.c.event_id.in_(ids))))
        rows = []
        # Consecutive events of one batch handler wait here and are applied together, before any other
        # event, so the order in which the events take effect is the order they came in.
        run: tuple[Callable[[UnitOfWork, list[Any]], Any], list[Any]] | None = None
        for (envelope, _), command, raw in zip(parsed, commands, raws, strict=True):
            event_id = str(envelope.id)
            if event_id in seen:
                outcomes.append((raw, "duplicate"))  # type: ignore[arg-type]
                continue
            seen.add(event_id)
            subscription = subscriptions.get(envelope.type)
            batch = subscription.batch if subscription is not None else None
            if run is not None and run[0] is not batch:
                run[0](uow, run[1])
                run = None
            if batch is not None:
                run = run or (batch, [])
                run[1].append(command)
            elif subscription is not None:
                with correlation(envelope.correlation_id):
                    subscription.handler(uow, command)
            rows.append(
                {
                    "event_id": event_id,
                    "type": envelope.type,
                    "correlation_id": envelope.correlation_id,
                    "processed_at": uow.clock.now(),
                }
            )
            outcomes.append((raw, "processed" if subscription is not None else "ignored"))  # type: ignore[arg-type]
        if run is not None:
            run[0](uow, run[1])
        if rows:
            uow.session.execute(insert(uow.inbox), rows)
        uow.commit()
    log.info("event batch consumed", events=len(raws), applied=len(rows))
    return outcomes
