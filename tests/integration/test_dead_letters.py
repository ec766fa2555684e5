"""An event no consumer can apply is parked, never dropped, and an operator can replay it."""

from dataclasses import replace

import pytest
from celery.contrib.testing.worker import start_worker
from sqlalchemy import func, select

from services.mou.orm import metadata
from shared import events
from shared.celery_app import CeleryPublisher
from shared.events import new_event
from shared.messaging.dead_letters import DeadLetters, dead_letter_key
from shared.messaging.inbox import Subscription
from shared.runtime import build_runtime, register_consumer
from tests.support.waiting import wait_until


@pytest.fixture
def flaky_mou(make_runtime, settings, clock):
    """A mou runtime whose consumer fails while ``broken`` is set, with one retry allowed."""
    base = make_runtime("mou")
    runtime = build_runtime("mou", replace(settings, event_max_retries=1), metadata, clock=clock, engine=base.engine)
    state = {"broken": True, "applied": 0}

    def on_selected(uow, command):
        if state["broken"]:
            raise RuntimeError("the signing register is locked")
        state["applied"] += 1

    register_consumer(runtime, {"assessment.region_selected": Subscription(lambda e, d: d, on_selected)})
    return runtime, state


def _selected(runtime):
    data = events.RegionSelectedV1(
        cohort_year=2023,
        region_code="12.01",
        region_name="Kabupaten Tapanuli Tengah",
        region_kind="kabupaten",
        timezone="Asia/Jakarta",
        rank=1,
        total=90.0,
    )
    return new_event(
        "assessment.region_selected",
        source="assessment",
        subject="12.01",
        data=data,
        occurred_at=runtime.clock.now(),
        correlation_id="dead-1",
    ).to_json_dict()


def _inbox(runtime):
    with runtime.session_factory() as session:
        return session.scalar(select(func.count()).select_from(runtime.inbox))


@pytest.mark.timeout(120)
def test_a_failing_event_is_parked_after_its_retries_and_replays_once_fixed(flaky_mou, redis_client):
    runtime, state = flaky_mou
    wire = _selected(runtime)
    dead_letters = DeadLetters(redis_client)
    with start_worker(
        runtime.celery, pool="threads", concurrency=1, perform_ping_check=False, queues=["mou"], shutdown_timeout=30
    ):
        CeleryPublisher(runtime.celery).send("mou", wire)
        assert wait_until(lambda: redis_client.llen(dead_letter_key("mou")) == 1, timeout=30)
        [parked] = dead_letters.list("mou")
        assert parked["envelope"]["id"] == wire["id"]
        assert parked["attempts"] == 2 and "signing register is locked" in parked["reason"]
        assert _inbox(runtime) == 0 and state["applied"] == 0

        state["broken"] = False
        assert dead_letters.replay("mou", CeleryPublisher(runtime.celery)) == 1
        assert wait_until(lambda: _inbox(runtime) == 1, timeout=30)
    assert state["applied"] == 1
    assert dead_letters.list("mou") == []


@pytest.mark.timeout(120)
def test_a_malformed_message_is_parked_with_the_reason(flaky_mou, redis_client):
    runtime, _ = flaky_mou
    with start_worker(
        runtime.celery, pool="threads", concurrency=1, perform_ping_check=False, queues=["mou"], shutdown_timeout=30
    ):
        CeleryPublisher(runtime.celery).send("mou", {"id": "not-a-uuid", "type": "assessment.region_selected"})
        assert wait_until(lambda: redis_client.llen(dead_letter_key("mou")) == 1, timeout=30)
    [parked] = DeadLetters(redis_client).list("mou")
    assert parked["reason"].startswith("malformed: malformed envelope")


def test_the_cli_lists_and_replays_dead_letters(redis_client, redis_url, monkeypatch, capsys):
    from services.cli import main
    from tests.support.celery_messages import queued_envelopes

    monkeypatch.setenv("CERDAS_BROKER_URL", redis_url)
    envelope = {"id": "6f1c1f0e-0000-4000-8000-000000000001", "type": "mou.signed"}
    DeadLetters(redis_client).park("mentoring", envelope, "boom", 3, __import__("datetime").datetime(2023, 3, 1))
    assert main(["events", "dead-letters"]) == 0
    out = capsys.readouterr()
    assert "mou.signed" in out.out and "attempts=3" in out.out and "1 dead letter(s)" in out.err
    assert main(["events", "replay", "--queue", "mentoring"]) == 0
    assert [e["id"] for e in queued_envelopes(redis_client, "mentoring")] == [envelope["id"]]
    assert redis_client.llen(dead_letter_key("mentoring")) == 0


@pytest.mark.timeout(120)
def test_an_event_its_handler_refuses_is_parked_at_once_not_after_fifty_retries(
    make_runtime, settings, clock, redis_client
):
    """A rule that refuses the event's content will refuse it on every retry: no retry storm, one attempt."""
    from shared.errors import Invalid

    base = make_runtime("mou")
    runtime = build_runtime("mou", replace(settings, event_max_retries=50), metadata, clock=clock, engine=base.engine)
    calls = []

    def refuse(uow, command):
        calls.append(1)
        raise Invalid("the due date lies outside the programme's years", field="due_at")

    register_consumer(runtime, {"assessment.region_selected": Subscription(lambda e, d: d, refuse)})
    with start_worker(
        runtime.celery, pool="threads", concurrency=1, perform_ping_check=False, queues=["mou"], shutdown_timeout=30
    ):
        CeleryPublisher(runtime.celery).send("mou", _selected(runtime))
        assert wait_until(lambda: redis_client.llen(dead_letter_key("mou")) == 1, timeout=60)
    [parked] = DeadLetters(redis_client).list("mou")
    assert parked["attempts"] == 1 and parked["reason"].startswith("refused: Invalid")
    assert len(calls) == 1 and _inbox(runtime) == 0
