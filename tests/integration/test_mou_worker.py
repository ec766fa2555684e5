"""The MoU worker on a real broker: redelivered selections draft one agreement, expiry runs as a task."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from sqlalchemy import func, select

from services.mou.orm import Agreement
from shared.celery_app import CeleryPublisher
from shared.clock import FixedClock
from tests.support.mou import region_selected, selection_event
from tests.support.waiting import wait_until


@pytest.mark.timeout(120)
def test_redelivered_and_republished_selections_draft_one_agreement(make_runtime, redis_client):
    runtime = make_runtime("mou")
    publisher = CeleryPublisher(runtime.celery)
    wire = selection_event(runtime, region_selected("12.01"))
    republished = selection_event(runtime, region_selected("12.01"))  # a second selection run: a new event id

    def processed():
        with runtime.session_factory() as session:
            return session.scalar(select(func.count()).select_from(runtime.inbox))

    with start_worker(
        runtime.celery, pool="threads", concurrency=4, perform_ping_check=False, queues=["mou"], shutdown_timeout=30
    ):
        for message in (wire, wire, republished, wire):
            publisher.send("mou", message)
        assert wait_until(lambda: processed() == 2 and redis_client.llen("mou") == 0)
    with runtime.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Agreement)) == 1


@pytest.mark.timeout(120)
def test_the_expiry_task_runs_on_the_worker(make_runtime, clock: FixedClock):
    from services.mou import handlers
    from services.mou.commands import SignAgreement
    from services.mou.domain import SignatoryInput
    from shared.auth import Principal
    from shared.celery_app import EXPIRE_AGREEMENTS_TASK
    from tests.support.mou import dirjen, draft, representative

    runtime = make_runtime("mou")
    agreement_id = draft(runtime)
    with runtime.uow() as uow:
        signatories = (SignatoryInput(**representative()), SignatoryInput(**dirjen()))
        handlers.sign_agreement(
            uow, SignAgreement(agreement_id, clock.now(), signatories, Principal("op", "operator"), 10)
        )
        uow.commit()
    clock.advance(timedelta(days=12))
    with start_worker(runtime.celery, pool="threads", perform_ping_check=False, queues=["mou"], shutdown_timeout=30):
        runtime.celery.send_task(EXPIRE_AGREEMENTS_TASK, queue="mou")

        def status():
            with runtime.session_factory() as session:
                return session.get(Agreement, agreement_id).status

        assert wait_until(lambda: status() == "expired")
