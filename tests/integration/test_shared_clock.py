"""One simulated timeline for every process: the API, the workers and each `cerdas` call read one epoch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared import timeline
from shared.clock import clock_for
from shared.config import load_settings
from tests.support import infra

START = datetime(2023, 2, 28, 2, 0, tzinfo=UTC)


def _settings(redis_url, tmp_path, **extra):
    return load_settings(infra.test_env({}, redis_url, tmp_path, CERDAS_CLOCK_START=START.isoformat(), **extra))


def test_processes_started_apart_share_one_now(redis_client, redis_url, tmp_path):
    first = clock_for(_settings(redis_url, tmp_path))
    early = first.now()
    # A second process booting later (its own settings say the same start) joins the same timeline
    # instead of restarting it: it is not behind the first.
    stored = timeline.read(redis_client)
    assert stored is not None and stored.start == START
    redis_client.set(timeline.KEY, timeline.Timeline(START, stored.anchor - 3600, 1.0).to_json())
    second = clock_for(_settings(redis_url, tmp_path))
    assert second.now() - early >= timedelta(hours=1) - timedelta(seconds=5)


def test_a_set_timeline_moves_every_process_and_may_run_faster(redis_client, redis_url, tmp_path):
    clock = clock_for(_settings(redis_url, tmp_path, CERDAS_CLOCK_SPEED="1"))
    clock.now()
    moved = datetime(2023, 7, 1, 1, 0, tzinfo=UTC)
    timeline.set_timeline(redis_client, moved, speed=86_400)  # a day each second
    fresh = clock_for(_settings(redis_url, tmp_path))
    assert fresh.now() >= moved
    assert fresh.now() < moved + timedelta(days=3)


def test_the_cli_shows_and_sets_the_shared_time(redis_client, redis_url, monkeypatch, capsys):
    from services.cli import main

    monkeypatch.setenv("CERDAS_BROKER_URL", redis_url)
    assert main(["clock", "show"]) == 0
    assert "no shared timeline" in capsys.readouterr().out
    assert main(["clock", "set", "2023-02-28T02:00:00Z", "--speed", "60"]) == 0
    assert "running at 60x since 2023-02-28T02:00:00+00:00" in capsys.readouterr().out
    assert main(["clock", "set", "2023-02-28T02:00:00"]) == 2
    assert "time zone offset" in capsys.readouterr().err
    assert main(["clock", "reset"]) == 0
    assert timeline.read(redis_client) is None
