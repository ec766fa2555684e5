"""What `cerdas demo` relies on: a `make run` started on the wall clock follows a timeline stored later, and
the demo refuses to start, saying how to start the services, when they are not up."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from shared import timeline
from shared.clock import SystemClock, clock_for
from shared.config import load_settings
from tests.support import infra
from tests.support.waiting import wait_until

STORY = datetime(2022, 5, 23, 2, 0, tzinfo=UTC)


def test_a_process_on_the_wall_clock_follows_a_stored_timeline_and_returns_when_it_is_cleared(
    redis_client, redis_url, tmp_path
):
    clock = clock_for(load_settings(infra.test_env({}, redis_url, tmp_path)))
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(minutes=1)
    assert timeline.read(redis_client) is None, "a process that only follows stores no timeline of its own"
    timeline.set_timeline(redis_client, STORY, speed=60)
    assert wait_until(lambda: clock.now() < STORY + timedelta(hours=1), timeout=timeline.REFRESH_SECONDS * 8)
    timeline.clear(redis_client)
    assert wait_until(lambda: clock.now().year == datetime.now(UTC).year, timeout=timeline.REFRESH_SECONDS * 8)


def test_production_keeps_the_wall_clock_whatever_the_broker_holds(redis_client, redis_url, tmp_path):
    timeline.set_timeline(redis_client, STORY)
    env = infra.test_env(
        {},
        redis_url,
        tmp_path,
        CERDAS_ENV="production",
        CERDAS_JWT_SECRET="7c1e9a04b2d8f65e3a90c7d41b8e2f6a9d03c5e7b1f48a26",
    )
    assert isinstance(clock_for(load_settings(env)), SystemClock)


def test_the_demo_says_how_to_start_the_services_when_they_are_down(monkeypatch, capsys, redis_url):
    from services.cli import main

    monkeypatch.setenv("CERDAS_BROKER_URL", redis_url)
    port = infra.free_port()
    urls = [f"--{s}-url=http://127.0.0.1:{port}" for s in ("assessment", "mou", "mentoring", "notifications")]
    started = time.monotonic()
    assert main(["demo", *urls]) == 1
    err = capsys.readouterr().err
    assert "not ready" in err and "make run" in err and f"127.0.0.1:{port}/ready" in err
    assert time.monotonic() - started < 30
