"""Outbox and inbox logic with a fake broker and an in-memory database."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Column, Integer, String, Table, create_engine, func, insert, select
from sqlalchemy.pool import StaticPool

from shared import events
from shared.clock import FixedClock
from shared.db import make_session_factory, new_metadata
from shared.events import EventError, new_event
from shared.messaging.inbox import Subscription, consume
from shared.messaging.outbox import OutboxRelay
from shared.messaging.tables import messaging_tables
from shared.uow import UnitOfWork


class FakePublisher:
    def __init__(self, fail_times: int = 0):
        self.sent: list[tuple[str, dict]] = []
        self.fail_times = fail_times

    def send(self, queue, envelope):
        if self.fail_times:
            self.fail_times -= 1
            raise ConnectionError("broker down")
        self.sent.append((queue, envelope))


@pytest.fixture
def world():
    metadata = new_metadata()
    outbox, inbox = messaging_tables(metadata)
    things = Table("things", metadata, Column("id", Integer, primary_key=True), Column("name", String(40)))
    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    metadata.create_all(engine)
    sessions = make_session_factory(engine)
    clock = FixedClock(datetime(2023, 2, 28, 3, 0, tzinfo=UTC))
    publisher = FakePublisher()
    relay = OutboxRelay(sessions, outbox, publisher, clock)

    def uow(source="mou"):
        return UnitOfWork(sessions, source=source, outbox=outbox, inbox=inbox, clock=clock, relay=relay)

    class World:
        pass

    w = World()
    w.__dict__.update(locals())
    return w


def selected_data():
    return events.RegionSelectedV1(
        cohort_year=2023,
        region_code="12.01",
        region_name="Kab",
        region_kind="kabupaten",
        timezone="Asia/Jakarta",
        rank=1,
        total=90,
    )


def signed_data():
    return events.MouDraftedV1(
        agreement_id="a1",
        number="NK-2023/001",
        cohort_year=2023,
        region_code="12.01",
        region_name="Kab",
        timezone="Asia/Jakarta",
        sign_by="2023-03-30",
    )


def selected_wire(world, correlation_id):
    return new_event(
        "assessment.region_selected",
        source="assessment",
        subject="12.01",
        data=selected_data(),
        occurred_at=world.clock.now(),
        correlation_id=correlation_id,
    ).to_json_dict()


def count(world, table):
    with world.sessions() as session:
        return session.scalar(select(func.count()).select_from(table))


def test_committed_events_are_published_to_every_subscriber(world):
    with world.uow("assessment") as uow:
        envelope = uow.record("assessment.region_selected", "12.01", selected_data())
        uow.commit()
    assert [q for q, _ in world.publisher.sent] == ["mou", "notifications"]
    assert world.publisher.sent[0][1]["id"] == str(envelope.id)
    assert world.relay.pending() == 0


def test_rolled_back_events_never_reach_the_outbox(world):
    with world.uow() as uow:
        uow.record("mou.drafted", "12.01", signed_data())
        uow.session.execute(insert(world.things).values(name="half-done"))
        # leaving the block without commit rolls back
    assert count(world, world.outbox) == 0 and count(world, world.things) == 0
    assert world.relay.sweep(grace=timedelta(0)).published == 0
    assert world.publisher.sent == []


def test_a_crash_after_commit_leaves_the_row_for_the_sweep(world):
    with world.uow() as uow:
        uow.record("mou.drafted", "12.01", signed_data())
        uow.commit(publish=False)
    assert world.publisher.sent == [] and world.relay.pending() == 1
    # A fresh row is left alone for a grace period, so the normal after-commit path wins the race.
    assert world.relay.sweep(grace=timedelta(seconds=10)).published == 0
    world.clock.advance(timedelta(seconds=11))
    assert world.relay.sweep(grace=timedelta(seconds=10)).published == 1
    assert world.relay.pending() == 0
    assert world.relay.sweep(grace=timedelta(0)).published == 0


def test_a_broker_failure_is_counted_and_retried_by_the_sweep(world):
    world.publisher.fail_times = 1
    with world.uow() as uow:
        uow.record("mou.drafted", "12.01", signed_data())
        uow.commit()
    assert world.relay.pending() == 1
    with world.sessions() as session:
        row = session.execute(select(world.outbox)).one()
    assert row.attempts == 1 and "broker down" in row.last_error
    assert world.relay.sweep(grace=timedelta(0)).published == 1
    assert world.relay.pending() == 0


def subscription(handler):
    return Subscription(lambda envelope, data: (envelope, data), handler)


def test_the_command_is_built_before_the_transaction_and_applied_with_the_inbox_row(world):
    """A command built from the event may call another service: it runs with no transaction open, and the
    handler's change and the inbox row then commit together."""
    wire = selected_wire(world, "c")
    open_units, seen_open = [], []

    class Counted:
        def __init__(self):
            self.inner = world.uow()

        def __enter__(self):
            open_units.append(1)
            return self.inner.__enter__()

        def __exit__(self, *exc):
            open_units.pop()
            return self.inner.__exit__(*exc)

    def command(envelope, data):
        seen_open.append(len(open_units))
        return data.region_code

    def handler(uow, region_code):
        seen_open.append(len(open_units))
        uow.session.execute(insert(world.things).values(name=region_code))

    assert consume(Counted, {"assessment.region_selected": Subscription(command, handler)}, wire) == "processed"
    assert seen_open == [0, 1]
    assert count(world, world.things) == 1 and count(world, world.inbox) == 1


def test_the_inbox_applies_an_event_once(world):
    wire = selected_wire(world, "c-1")
    applied = []

    def handler(uow, command):
        envelope, data = command
        uow.session.execute(insert(world.things).values(name=data.region_code))
        applied.append(envelope.correlation_id)

    handlers = {"assessment.region_selected": subscription(handler)}
    assert consume(world.uow, handlers, wire) == "processed"
    assert consume(world.uow, handlers, wire) == "duplicate"
    assert count(world, world.things) == 1 and applied == ["c-1"]


def test_a_failing_handler_leaves_no_inbox_row_so_redelivery_retries(world):
    wire = selected_wire(world, "c")
    calls = []

    def flaky_handler(uow, command):
        calls.append(1)
        uow.session.execute(insert(world.things).values(name="x"))
        if len(calls) == 1:
            raise RuntimeError("database hiccup")

    flaky = subscription(flaky_handler)
    with pytest.raises(RuntimeError):
        consume(world.uow, {"assessment.region_selected": flaky}, wire)
    assert count(world, world.inbox) == 0 and count(world, world.things) == 0
    assert consume(world.uow, {"assessment.region_selected": flaky}, wire) == "processed"
    assert count(world, world.things) == 1


def test_events_recorded_by_a_consumer_carry_the_incoming_correlation_id(world):
    wire = selected_wire(world, "from-request")

    def handler(uow, command):
        uow.record("mou.drafted", "12.01", signed_data())

    consume(world.uow, {"assessment.region_selected": subscription(handler)}, wire)
    assert world.publisher.sent[0][1]["correlation_id"] == "from-request"


def test_events_without_a_handler_are_recorded_and_ignored(world):
    wire = selected_wire(world, "c")
    assert consume(world.uow, {}, wire) == "ignored"
    assert count(world, world.inbox) == 1


def test_malformed_messages_raise_event_error(world):
    with pytest.raises(EventError):
        consume(world.uow, {}, {"id": "not-a-uuid"})


def test_each_celery_task_starts_without_a_correlation_id():
    from celery.signals import task_prerun

    import shared.celery_app  # noqa: F401 (connects the signal)
    from shared.logging import current_correlation_id, ensure_correlation_id

    leaked = ensure_correlation_id()  # e.g. made up by a scheduled task that recorded an event
    assert current_correlation_id() == leaked
    task_prerun.send(sender=None, task_id="t", task=None, args=(), kwargs={})
    assert current_correlation_id() is None
    assert ensure_correlation_id() != leaked
    task_prerun.send(sender=None, task_id="t", task=None, args=(), kwargs={})
