"""The outbox and inbox against real PostgreSQL and Redis, with a real Celery worker."""

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from sqlalchemy import func, select

from services.mou.orm import Agreement
from shared import events
from shared.celery_app import CeleryPublisher
from shared.events import new_event
from tests.support.celery_messages import queued_envelopes
from tests.support.waiting import wait_until


def region_selected(code="12.01"):
    return events.RegionSelectedV1(
        cohort_year=2023,
        region_code=code,
        region_name="Kabupaten Tapanuli Tengah",
        region_kind="kabupaten",
        timezone="Asia/Jakarta",
        rank=1,
        total=88.0,
    )


def test_an_event_in_a_rolled_back_transaction_is_never_published(make_runtime, redis_client):
    runtime = make_runtime("assessment")
    with runtime.uow() as uow:
        uow.record("assessment.region_selected", "12.01", region_selected())
        uow.rollback()
    assert runtime.relay.sweep(grace=timedelta(0)).published == 0
    assert redis_client.llen("mou") == 0 and redis_client.llen("notifications") == 0


def test_a_crash_between_commit_and_publish_is_republished_by_the_sweep(make_runtime, redis_client):
    runtime = make_runtime("assessment")
    with runtime.uow() as uow:
        envelope = uow.record("assessment.region_selected", "12.01", region_selected())
        uow.commit(publish=False)  # the process dies before the after-commit publish
    assert redis_client.llen("mou") == 0
    assert runtime.relay.pending() == 1
    result = runtime.relay.sweep(grace=timedelta(0))
    assert result.published == 1
    for queue in ("mou", "notifications"):
        [queued] = queued_envelopes(redis_client, queue)
        assert queued["id"] == str(envelope.id)
    assert runtime.relay.pending() == 0


def test_the_after_commit_path_publishes_at_once(make_runtime, redis_client):
    runtime = make_runtime("assessment")
    with runtime.uow() as uow:
        envelope = uow.record("assessment.region_selected", "12.01", region_selected())
        uow.commit()
    assert [e["id"] for e in queued_envelopes(redis_client, "mou")] == [str(envelope.id)]
    assert runtime.relay.pending() == 0


def test_a_broker_outage_keeps_events_until_the_sweep_succeeds(make_runtime, redis_client, settings):
    from dataclasses import replace

    from shared.runtime import build_runtime

    runtime = make_runtime("assessment")
    down = build_runtime(
        "assessment",
        replace(settings, broker_url="redis://127.0.0.1:1/0"),
        runtime.metadata,
        clock=runtime.clock,
        engine=runtime.engine,
    )
    with down.uow() as uow:
        envelope = uow.record("assessment.region_selected", "12.01", region_selected())
        uow.commit()
    assert down.relay.pending() == 1
    assert runtime.relay.sweep(grace=timedelta(0)).published == 1
    assert queued_envelopes(redis_client, "mou")[0]["id"] == str(envelope.id)


@pytest.mark.timeout(120)
def test_the_same_event_delivered_twice_has_one_effect(make_runtime, redis_client):
    runtime = make_runtime("mou")
    wire = new_event(
        "assessment.region_selected",
        source="assessment",
        subject="12.01",
        data=region_selected(),
        occurred_at=runtime.clock.now(),
        correlation_id="corr-redelivery",
    ).to_json_dict()
    publisher = CeleryPublisher(runtime.celery)

    def inbox_count():
        with runtime.session_factory() as session:
            return session.scalar(select(func.count()).select_from(runtime.inbox))

    with start_worker(
        runtime.celery, pool="threads", concurrency=2, perform_ping_check=False, queues=["mou"], shutdown_timeout=30
    ):
        publisher.send("mou", wire)
        publisher.send("mou", wire)
        publisher.send("mou", wire)
        assert wait_until(lambda: inbox_count() == 1 and redis_client.llen("mou") == 0)
        time.sleep(1.0)  # let any straggler finish
    with runtime.session_factory() as session:
        agreements = session.scalars(select(Agreement)).all()
    assert len(agreements) == 1
    assert agreements[0].region_code == "12.01" and agreements[0].number == "NK-2023/001"
    # The draft's own events (mou.drafted, deadline.set) were published once, with the incoming correlation id.
    queued = queued_envelopes(redis_client, "notifications")
    assert sorted(e["type"] for e in queued) == ["deadline.set", "mou.drafted"]
    assert {e["correlation_id"] for e in queued} == {"corr-redelivery"}
