"""Wiring shared by every service: database, clock, outbox relay, Celery app and its generic tasks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import Any, TypeVar

from celery import Celery
from sqlalchemy import Engine, MetaData, Table, event
from sqlalchemy.orm import sessionmaker

from shared.celery_app import CeleryPublisher, create_celery
from shared.changes import ChangeFeed
from shared.clock import Clock, clock_for
from shared.config import Settings
from shared.db import make_engine, make_session_factory
from shared.errors import Invalid
from shared.events import EventError
from shared.logging import get_logger
from shared.messaging.dead_letters import DeadLetters
from shared.messaging.inbox import Subscription, consume, consume_batch
from shared.messaging.outbox import OutboxRelay, Publisher
from shared.routing import event_task_name, sweep_task_name
from shared.uow import UnitOfWork

log = get_logger(__name__)
# Errors that say the event itself is at fault, not the moment: no retry can succeed.
POISON: tuple[type[BaseException], ...] = (Invalid, OverflowError)
R = TypeVar("R", bound="ServiceRuntime")
AfterProcessed = Callable[[dict[str, Any], str], None]


@dataclass
class ServiceRuntime:
    """What every service is wired from. A service that needs more (a document store, a mail
    notifier) subclasses it with typed fields, so nothing is looked up by name at run time."""

    name: str
    settings: Settings
    engine: Engine
    session_factory: sessionmaker
    metadata: MetaData
    clock: Clock
    celery: Celery
    relay: OutboxRelay

    @cached_property
    def read_session_factory(self) -> sessionmaker:
        if self.engine.dialect.name != "postgresql":
            return self.session_factory  # SQLite's reads stay in its usual transactions
        return make_session_factory(self.engine.execution_options(isolation_level="AUTOCOMMIT"))

    @cached_property
    def changes(self) -> ChangeFeed | None:
        """What other processes changed, as PostgreSQL notifies it (None on SQLite). Created on first use,
        by the web processes that keep answers; this process's own commits count as changes at once."""
        feed = ChangeFeed.for_engine(self.engine)
        if feed is not None:
            event.listen(self.session_factory, "after_commit", lambda _session: feed.touched())
        return feed

    def close(self) -> None:
        """Release the database: the change feed's connection, if one was opened, and the pool."""
        feed = self.__dict__.get("changes")
        if feed is not None:
            feed.close()
        self.engine.dispose()

    @property
    def outbox(self) -> Table:
        return self.metadata.tables["outbox"]

    @property
    def inbox(self) -> Table:
        return self.metadata.tables["inbox"]

    def uow(self) -> UnitOfWork:
        return UnitOfWork(
            self.session_factory,
            source=self.name,
            outbox=self.outbox,
            inbox=self.inbox,
            clock=self.clock,
            relay=self.relay,
        )

    def reader(self) -> UnitOfWork:
        """A unit of work for a request that only reads: it cannot commit, and ends without a rollback.

        On PostgreSQL it runs in autocommit: under READ COMMITTED each statement takes its own snapshot
        inside a transaction too, so a read loses nothing, and saves the BEGIN and ROLLBACK round trips."""
        return UnitOfWork(
            self.read_session_factory,
            source=self.name,
            outbox=self.outbox,
            inbox=self.inbox,
            clock=self.clock,
            relay=None,
            read_only=True,
        )


def build_runtime(
    name: str,
    settings: Settings,
    metadata: MetaData,
    *,
    clock: Clock | None = None,
    publisher: Publisher | None = None,
    engine: Engine | None = None,
    runtime_class: type[R] = ServiceRuntime,  # type: ignore[assignment]
    dependencies: Callable[[Settings, Clock], Mapping[str, Any]] | None = None,
) -> R:
    """The service's runtime; ``dependencies(settings, clock)`` gives the extra fields of ``runtime_class``."""
    engine = engine or make_engine(settings.database_url(name))
    session_factory = make_session_factory(engine)
    clock = clock or clock_for(settings)
    celery = create_celery(name, settings)
    relay = OutboxRelay(session_factory, metadata.tables["outbox"], publisher or CeleryPublisher(celery), clock)
    extra = dict(dependencies(settings, clock)) if dependencies is not None else {}
    runtime = runtime_class(name, settings, engine, session_factory, metadata, clock, celery, relay, **extra)
    _register_sweep(runtime)
    return runtime


def bootstrap_service(
    name: str,
    metadata: MetaData,
    settings: Settings | None = None,
    subscriptions: Callable[[R], Mapping[str, Subscription]] | None = None,
    *,
    after_processed: Callable[[R], AfterProcessed] | None = None,
    **overrides: Any,
) -> R:
    """What every service's ``bootstrap()`` does: settings, JSON logs, runtime, and its event consumer."""
    from shared.config import load_settings
    from shared.logging import configure_logging

    settings = settings or load_settings()
    configure_logging(name, settings.log_level, settings.log_format)
    runtime = build_runtime(name, settings, metadata, **overrides)
    if subscriptions is not None:
        register_consumer(
            runtime,
            subscriptions(runtime),
            after_processed(runtime) if after_processed is not None else None,
        )
    return runtime


def _register_sweep(runtime: ServiceRuntime) -> None:
    grace = timedelta(seconds=runtime.settings.outbox_grace_seconds)

    @runtime.celery.task(name=sweep_task_name(runtime.name), ignore_result=True, shared=False)
    def sweep_outbox() -> dict[str, int]:
        result = runtime.relay.sweep(grace=grace)
        return {"published": result.published, "failed": result.failed}


def register_consumer(
    runtime: ServiceRuntime,
    subscriptions: Mapping[str, Subscription],
    after_processed: AfterProcessed | None = None,
) -> None:
    """The Celery task that applies events arriving on this service's queue, exactly once.
    ``after_processed(envelope, outcome)`` runs after the event's transaction committed."""
    max_retries = runtime.settings.event_max_retries

    def park(envelope: Any, reason: str, attempts: int) -> None:
        dead_letters = DeadLetters.from_url(runtime.settings.broker_url)
        try:
            dead_letters.park(runtime.name, envelope, reason, attempts, runtime.clock.now())
        finally:
            dead_letters.close()

    @runtime.celery.task(
        name=event_task_name(runtime.name),
        bind=True,
        ignore_result=True,
        shared=False,  # a shared task would be attached to every service's app
        max_retries=None,  # counted here, so the last failure parks the event instead of dropping it
    )
    def handle_event(self: Any, envelope: Any) -> str:
        if isinstance(envelope, list):
            return handle_batch(envelope)
        try:
            outcome = consume(runtime.uow, subscriptions, envelope)
        except EventError as exc:
            # A message that breaks the catalogue will never succeed: park it for an operator.
            log.error("malformed event parked as a dead letter", error=str(exc))
            park(envelope, f"malformed: {exc}", self.request.retries)
            return "rejected"
        except POISON as exc:
            # The event is well-formed but its content can never be applied (a rule refuses it, a date
            # out of range): retrying fifty times would change nothing, so it is parked at once.
            log.error(
                "event refused by its handler; parked as a dead letter", error=repr(exc), event_id=_event_id(envelope)
            )
            park(envelope, f"refused: {exc!r}", self.request.retries + 1)
            return "dead-lettered"
        except Exception as exc:
            attempt = self.request.retries
            if attempt >= max_retries:
                log.error(
                    "event failed every retry; parked as a dead letter",
                    error=repr(exc),
                    event_id=_event_id(envelope),
                    attempts=attempt + 1,
                )
                park(envelope, repr(exc), attempt + 1)
                return "dead-lettered"
            log.warning(
                "event handling failed; will retry", error=repr(exc), event_id=_event_id(envelope), attempt=attempt
            )
            # Short exponential backoff (capped well under the broker's visibility timeout).
            countdown = min(600.0, 2.0**attempt, runtime.settings.broker_visibility_timeout / 2)
            raise self.retry(exc=exc, countdown=countdown) from exc
        if after_processed is not None:
            after_processed(envelope, outcome)
        return outcome

    def handle_batch(envelopes: list[Any]) -> str:
        """Events the relay sent together, applied in one transaction; if any of them fails, each is sent
        back to this queue on its own, so it is retried or parked alone as if it had come singly."""
        try:
            outcomes = consume_batch(runtime.uow, subscriptions, envelopes)
        except Exception as exc:
            log.warning("event batch failed; its events are retried one by one", error=repr(exc), events=len(envelopes))
            publisher = CeleryPublisher(runtime.celery)
            for envelope in envelopes:
                publisher.send(runtime.name, envelope)
            return "split"
        if after_processed is not None:
            for envelope, outcome in outcomes:
                after_processed(envelope, outcome)
        return "batch"


def _event_id(envelope: Any) -> Any:
    return envelope.get("id") if isinstance(envelope, dict) else None
