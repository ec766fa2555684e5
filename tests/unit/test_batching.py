"""Batched relay and consumer, read-only units of work and a kept SMTP connection behave as one at a time did."""

import socket
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from services.notifications.mail import SmtpTransport
from shared import events
from shared.messaging.inbox import Subscription, consume_batch
from tests.unit.test_outbox_inbox import selected_data, signed_data, world  # noqa: F401 (fixture)


class BatchingPublisher:
    def __init__(self):
        self.messages: list[tuple[str, object]] = []

    def send(self, queue, envelope):
        self.messages.append((queue, envelope))

    def send_batch(self, queue, envelopes):
        self.messages.append((queue, list(envelopes)))


def drafted(number: int) -> events.MouDraftedV1:
    data = signed_data()
    return data.model_copy(update={"agreement_id": f"a{number}", "number": f"NK-2023/{number:03d}"})


def test_events_of_one_transaction_go_to_each_queue_as_one_message(world):  # noqa: F811
    publisher = BatchingPublisher()
    world.relay._publisher = publisher
    with world.uow() as uow:
        recorded = [uow.record("mou.drafted", "12.01", drafted(n)) for n in range(3)]
        uow.commit()
    assert publisher.messages == [("notifications", [e.to_json_dict() for e in recorded])]
    assert world.relay.pending() == 0


def test_a_single_event_keeps_the_single_message_shape(world):  # noqa: F811
    publisher = BatchingPublisher()
    world.relay._publisher = publisher
    with world.uow() as uow:
        envelope = uow.record("mou.drafted", "12.01", drafted(1))
        uow.commit()
    assert publisher.messages == [("notifications", envelope.to_json_dict())]


def test_a_publisher_without_batches_gets_each_event(world):  # noqa: F811
    with world.uow() as uow:
        for n in range(3):
            uow.record("mou.drafted", "12.01", drafted(n))
        uow.commit(publish=False)
    assert world.relay.sweep(grace=timedelta(0)).published == 3
    assert len(world.publisher.sent) == 3 and world.relay.pending() == 0


def wires(world, count):  # noqa: F811
    wires = []
    with world.uow("assessment") as uow:
        for _ in range(count):
            wires.append(uow.record("assessment.region_selected", "12.01", selected_data()).to_json_dict())
        uow.rollback()
    return wires


def inbox_rows(world):  # noqa: F811
    with world.sessions() as session:
        return session.scalar(select(func.count()).select_from(world.inbox))


def test_a_batch_is_applied_once_each_in_one_transaction(world):  # noqa: F811
    applied = []
    subscriptions = {
        "assessment.region_selected": Subscription(
            lambda envelope, data: str(envelope.id), lambda uow, c: applied.append(c)
        )
    }
    batch = wires(world, 3)
    outcomes = consume_batch(world.uow, subscriptions, [*batch, batch[0]])
    assert [outcome for _, outcome in outcomes] == ["processed", "processed", "processed", "duplicate"]
    assert applied == [w["id"] for w in batch] and inbox_rows(world) == 3
    again = consume_batch(world.uow, subscriptions, batch)
    assert {outcome for _, outcome in again} == {"duplicate"} and len(applied) == 3


def test_a_failing_event_keeps_nothing_of_its_batch(world):  # noqa: F811
    def handler(uow, command):
        if command == "boom":
            raise RuntimeError("refused")

    batch = wires(world, 2)
    commands = iter(["fine", "boom"])
    subscriptions = {"assessment.region_selected": Subscription(lambda envelope, data: next(commands), handler)}
    with pytest.raises(RuntimeError):
        consume_batch(world.uow, subscriptions, batch)
    assert inbox_rows(world) == 0


def test_a_read_only_unit_of_work_cannot_commit(world):  # noqa: F811
    from shared.uow import UnitOfWork

    reader = UnitOfWork(
        world.sessions,
        source="mou",
        outbox=world.outbox,
        inbox=world.inbox,
        clock=world.clock,
        relay=None,
        read_only=True,
    )
    with reader as uow, pytest.raises(RuntimeError):
        uow.commit()


def test_a_kept_smtp_connection_carries_the_next_message_and_is_replaced_when_dead(smtp_server):
    transport = SmtpTransport(smtp_server.url, timeout=5, keep_alive=30.0)
    connects = []
    original = transport._connect
    transport._connect = lambda: connects.append(1) or original()

    def message(n):
        msg = EmailMessage()
        msg["From"] = "Cerdas <noreply@cerdas.example>"
        msg["To"] = f"Kominfo <kominfo{n}@tapteng.example>"
        msg["Subject"] = f"Pengingat {n}"
        msg.set_content("Isi")
        return msg

    for n in range(3):
        transport.send(message(n))
    assert len(connects) == 1
    # After a pause the connection is asked before use; one the server dropped is replaced, no message lost.
    [(client, since)] = transport._idle
    client.sock.shutdown(socket.SHUT_RDWR)
    transport._idle = [(client, since - 5)]
    transport.send(message(3))
    transport.close()
    assert len(connects) == 2
    assert len(smtp_server.wait_for(4)) == 4
