"""A worker killed in the middle of an event loses nothing: the broker hands the event out again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select

from services.mentoring.orm import Programme
from shared import events
from shared.celery_app import CeleryPublisher
from shared.events import new_event
from tests.support import infra
from tests.support.processes import ROOT
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]
# Generous: waits end as soon as the state is seen; under load (several test runs on two cores) they may
# need most of it.
PATIENCE = 240
VISIBILITY_TIMEOUT = 3


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    """The mentoring worker exactly as the Procfile starts it, but with the solo pool so that killing the
    process kills the task in hand."""
    celery = str(Path(sys.executable).parent / "celery")
    return subprocess.Popen(
        [
            celery,
            "-A",
            "services.mentoring.worker",
            "worker",
            "-Q",
            "mentoring",
            "-c",
            "1",
            "-P",
            "solo",
            "-n",
            f"mentoring-{log.stem}@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _unacked_for(client) -> float:
    """Seconds since the oldest unacknowledged message was taken, by the broker's own index."""
    oldest = client.zrange("unacked_index", 0, 0, withscores=True)
    return time.time() - oldest[0][1] if oldest else 0.0


def _signed(runtime) -> dict:
    data = events.MouSignedV1(
        agreement_id="2f0b1a6e-1111-4c4c-8a8a-000000000001",
        number="NK-2023/001",
        cohort_year=2023,
        region_code="12.01",
        region_name="Kabupaten Tapanuli Tengah",
        timezone="Asia/Jakarta",
        signed_at=runtime.clock.now(),
        signatories=[
            events.Signatory(
                party="region",
                name="Sugiharto Hutabarat",
                position="Plh Sekda",
                acting="Plh",
                on_behalf_of="Pj Bupati Tapanuli Tengah",
            ),
            events.Signatory(party="ministry", name="Dirjen Aptika", position="Direktur Jenderal"),
        ],
    )
    return new_event(
        "mou.signed",
        source="mou",
        subject="12.01",
        data=data,
        occurred_at=runtime.clock.now(),
        correlation_id="crash-1",
    ).to_json_dict()


def _programmes(runtime) -> int:
    with runtime.session_factory() as session:
        return session.scalar(select(func.count()).select_from(Programme))


def test_a_worker_killed_mid_event_is_replaced_and_the_event_applied_once(
    make_runtime, database_urls, redis_url, redis_client, tmp_path
):
    if not database_urls["mentoring"].startswith("postgresql"):
        pytest.skip("holding the worker mid-event uses a PostgreSQL table lock")
    runtime = make_runtime("mentoring")
    env = infra.test_env(
        database_urls, redis_url, tmp_path / "var", CERDAS_BROKER_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT)
    )
    first = second = None
    with psycopg.connect(database_urls["mentoring"]) as blocker:
        # Hold the worker inside its transaction: it will wait on this lock with the message taken.
        blocker.execute("LOCK TABLE programmes IN ACCESS EXCLUSIVE MODE")
        try:
            first = _worker(env, tmp_path / "first.log")
            CeleryPublisher(runtime.celery).send("mentoring", _signed(runtime))
            assert wait_until(
                lambda: redis_client.llen("mentoring") == 0 and redis_client.hlen("unacked") == 1, timeout=PATIENCE
            ), (tmp_path / "first.log").read_text()
            assert wait_until(
                lambda: (
                    blocker.execute(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
                    ).fetchone()[0]
                    >= 1
                ),
                timeout=PATIENCE,
            )
            os.killpg(first.pid, signal.SIGKILL)  # no chance to ack or reject
            first.wait(timeout=10)
        finally:
            blocker.rollback()
    assert _programmes(runtime) == 0
    assert redis_client.hlen("unacked") == 1, "the broker still holds the unacknowledged message"
    # The broker hands the message out again only once it has been unacknowledged for the visibility
    # timeout: wait until the broker's own record of when it was taken says so.
    assert wait_until(lambda: _unacked_for(redis_client) > VISIBILITY_TIMEOUT, timeout=PATIENCE)
    try:
        second = _worker(env, tmp_path / "second.log")
        assert wait_until(lambda: _programmes(runtime) == 1, timeout=PATIENCE), (tmp_path / "second.log").read_text()
        # Done once the second worker has acknowledged it: nothing is left to be handed out a third time.
        assert wait_until(lambda: redis_client.hlen("unacked") == 0, timeout=PATIENCE)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
    assert _programmes(runtime) == 1
    with runtime.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(runtime.inbox)) == 1
    assert redis_client.hlen("unacked") == 0
