"""What the transactional outbox costs, as ratios against a direct publish measured in the same run.

    .venv/bin/python -m bench.outbox_overhead [--events 300] [--postgres URL] [--redis URL]

Three ways to publish N events to Redis through Celery:
  direct   : send each event straight to the broker (no database; loses events on a crash)
  outbox   : write each event in its own transaction, publish right after commit, mark published
  swept    : write N events, then let one sweep publish them in batches
Each is timed over several rounds (best round kept, to damp a noisy machine) and reported
as a multiple of `direct`.
"""

from __future__ import annotations

import argparse
import time
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import redis
from sqlalchemy import text

from bench.common import check, queued_events
from services.assessment.orm import metadata
from shared import events
from shared.celery_app import CeleryPublisher
from shared.clock import FixedClock
from shared.config import load_settings
from shared.events import new_event
from shared.logging import configure_logging
from shared.migrate import upgrade
from shared.runtime import build_runtime


def data(index: int) -> events.RegionScoredV1:
    return events.RegionScoredV1(cohort_year=2023, region_code="12.01", application_id=str(index), total=80.0)


def best_of(rounds: int, run) -> float:  # noqa: ANN001
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()

    configure_logging("bench", "WARNING", "console")
    name = f"cerdas_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.postgres, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = args.postgres.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade("assessment", url)
        settings = load_settings(
            {"CERDAS_ASSESSMENT_DATABASE_URL": url, "CERDAS_BROKER_URL": args.redis, "CERDAS_LOG_LEVEL": "WARNING"}
        )
        clock = FixedClock(datetime(2023, 2, 28, tzinfo=UTC))
        runtime = build_runtime("assessment", settings, metadata, clock=clock)
        broker = redis.Redis.from_url(args.redis)
        publisher = CeleryPublisher(runtime.celery)
        wires = [
            new_event(
                "assessment.region_scored",
                source="assessment",
                subject="12.01",
                data=data(i),
                occurred_at=clock.now(),
                correlation_id="bench",
            ).to_json_dict()
            for i in range(args.events)
        ]

        def reset() -> None:
            broker.flushdb()
            with runtime.engine.begin() as connection:
                connection.execute(text("TRUNCATE outbox"))

        def direct() -> None:
            for wire in wires:
                publisher.send("notifications", wire)

        def outbox() -> None:
            for i in range(args.events):
                with runtime.uow() as uow:
                    uow.record("assessment.region_scored", "12.01", data(i))
                    uow.commit()

        def swept() -> None:
            with runtime.uow() as uow:
                for i in range(args.events):
                    uow.record("assessment.region_scored", "12.01", data(i))
                uow.commit(publish=False)
            while runtime.relay.sweep(grace=timedelta(0)).published:
                pass

        results = {}
        for label, run in (("direct", direct), ("outbox", outbox), ("swept", swept)):

            def measured(run=run) -> None:  # noqa: ANN001
                reset()
                run()

            results[label] = best_of(args.rounds, measured)
            queued = queued_events(broker, "notifications")
            check(len(queued) == len({e["id"] for e in queued}) == args.events, f"{label}: every event queued once")
        base = results["direct"]
        print(f"{args.events} events, best of {args.rounds} rounds, PostgreSQL + Redis")
        for label, seconds in results.items():
            print(f"  {label:7s} {seconds / args.events * 1e3:7.3f} ms/event   {seconds / base:5.2f}x direct")
        runtime.engine.dispose()
    finally:
        with psycopg.connect(args.postgres, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
