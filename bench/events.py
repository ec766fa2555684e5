"""Events end to end: deadline.set from commit to consumed by notifications (with its inbox row and
planned reminders), against raw Celery messages consumed by a worker that does nothing.

    .venv/bin/python -m bench.events [--events 1000]

Both run real `celery worker` processes on the same Redis with Cerdas's Celery settings (late acks,
prefetch 1), with one and then two worker processes. The baseline sends N no-op messages and waits
until the worker has counted N; Cerdas commits N deadline.set events through the outbox, in
transactions of 20 (a mentoring plan's worth) and, for comparison, one per transaction, and waits until
notifications holds N inbox rows and N deadlines. N is the 2023 cohort's deadlines (52 regions x 20)
and 10 times that (about the whole register of 552 regions); CERDAS_BENCH_LARGE=1 adds 100 times.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
from sqlalchemy import func, select, text

from bench.common import LARGE, REDIS, Figure, check, report, scratch_database
from services.assessment.orm import metadata as assessment_metadata
from services.notifications.orm import Deadline, Reminder
from shared.config import load_settings
from shared.deadlines import DeadlineSpec, set_deadline
from shared.logging import configure_logging
from shared.migrate import upgrade
from shared.routing import event_task_name
from shared.runtime import build_runtime

ROOT = Path(__file__).resolve().parent.parent
CELERY = Path(sys.executable).with_name("celery")
TARGET = 1.0
PER_TRANSACTION = 20
# The 2023 cohort's five months: 52 regions with about 20 dated milestones, sessions and the signing each.
COHORT_EVENTS = 52 * 20
LOGS = os.environ.get("CERDAS_BENCH_LOGS", "")


def worker(app: str, concurrency: int, env: dict[str, str], queue: str = "notifications") -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(CELERY),
            "-A",
            app,
            "worker",
            "-Q",
            queue,
            "-c",
            str(concurrency),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        # CERDAS_BENCH_LOGS=folder keeps each worker's log there, to see why a run did not finish.
        stderr=open(Path(LOGS) / f"{app}-{concurrency}.log", "ab") if LOGS else subprocess.DEVNULL,  # noqa: SIM115
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for(done: Callable[[], bool], limit: float = 300.0, what: str = "events were all consumed") -> None:
    deadline = time.monotonic() + limit
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: gave up waiting until {what}")
        time.sleep(0.02)


def noop_rate(count: int, concurrency: int, env: dict[str, str]) -> float:
    os.environ["CERDAS_BROKER_URL"] = REDIS  # read by the baseline's module, here and in its worker
    from bench.noop_worker import COUNTER, celery

    broker = redis.Redis.from_url(REDIS)
    broker.flushdb()
    process = worker("bench.noop_worker", concurrency, env)
    try:
        send = lambda i: celery.send_task(event_task_name("notifications"), args=[{"n": i}], queue="notifications")  # noqa: E731
        send(-1)
        wait_for(lambda: broker.get(COUNTER) == b"1", 60)
        started = time.perf_counter()
        for i in range(count):
            send(i)
        wait_for(lambda: int(broker.get(COUNTER) or 0) == count + 1, 120 + count / 20)
        seconds = time.perf_counter() - started
    finally:
        stop(process)
    check(int(broker.get(COUNTER)) == count + 1, "the no-op worker counted every message once")
    return count / seconds


def cerdas_rate(count: int, per_transaction: int, concurrency: int, env: dict[str, str], producer, consumer) -> float:  # noqa: ANN001
    broker = redis.Redis.from_url(REDIS)
    broker.flushdb()
    with consumer.begin() as connection:
        connection.execute(text("TRUNCATE inbox, reminders, deadlines CASCADE"))
    with producer.engine.begin() as connection:
        connection.execute(text("TRUNCATE outbox, deadline_versions"))
    due = datetime.now(UTC) + timedelta(days=90)

    def spec(i: int) -> DeadlineSpec:
        return DeadlineSpec(
            f"bench:{concurrency}:{per_transaction}:{i}",
            "12.01",
            "Kabupaten Tapanuli Tengah",
            "Asia/Jakarta",
            "milestone",
            f"Tonggak {i}",
            due,
            ("kominfo_head",),
        )

    def consumed() -> tuple[int, int]:
        with consumer.connect() as connection:
            inbox = connection.execute(text("SELECT count(*) FROM inbox")).scalar()
            deadlines = connection.execute(select(func.count(Deadline.id.distinct()))).scalar()
            return inbox, deadlines

    process = worker("services.notifications.worker", concurrency, env)
    try:
        with producer.uow() as uow:
            set_deadline(uow, spec(-1))
            uow.commit()
        wait_for(lambda: consumed() == (1, 1), 60)
        started = time.perf_counter()
        for first in range(0, count, per_transaction):
            with producer.uow() as uow:
                for i in range(first, min(count, first + per_transaction)):
                    set_deadline(uow, spec(i))
                uow.commit()
        wait_for(lambda: consumed() == (count + 1, count + 1), 120 + count / 20)
        seconds = time.perf_counter() - started
    finally:
        stop(process)
    with consumer.connect() as connection:
        per_deadline = (
            connection.execute(select(func.count()).select_from(Reminder).group_by(Reminder.deadline_id).distinct())
            .scalars()
            .all()
        )
    check(consumed() == (count + 1, count + 1), "one inbox row and one deadline per event")
    check(len(set(per_deadline)) == 1, "every deadline has the same reminder plan")
    return count / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=COHORT_EVENTS, help="events at 1x (the 2023 cohort)")
    args = parser.parse_args()
    configure_logging("bench", "WARNING", "json")
    from sqlalchemy import create_engine

    figures = []
    with scratch_database() as producer_url, scratch_database() as consumer_url:
        upgrade("assessment", producer_url)
        upgrade("notifications", consumer_url)
        env = {
            "CERDAS_NOTIFICATIONS_DATABASE_URL": consumer_url,
            "CERDAS_BROKER_URL": REDIS,
            "CERDAS_LOG_LEVEL": "WARNING",
        }
        settings = load_settings({"CERDAS_ASSESSMENT_DATABASE_URL": producer_url, "CERDAS_BROKER_URL": REDIS})
        producer = build_runtime("assessment", settings, assessment_metadata)
        consumer = create_engine(consumer_url.replace("postgresql://", "postgresql+psycopg://"))
        sizes = [args.events, args.events * 10] + ([args.events * 100] if LARGE else [])
        for count in sizes:
            for concurrency in (1, 2):
                base = noop_rate(count, concurrency, env)
                batched = cerdas_rate(count, PER_TRANSACTION, concurrency, env, producer, consumer)
                figures.append(
                    Figure(
                        f"{count // args.events:3d}x {count} deadline.set, {PER_TRANSACTION}/commit, {concurrency} wkr",
                        batched,
                        "Celery no-op round trip",
                        base,
                        "ev/s",
                        TARGET,
                    )
                )
                if count == args.events:
                    single = cerdas_rate(count // 4, 1, concurrency, env, producer, consumer)
                    figures.append(
                        Figure(
                            f"     {count // 4} deadline.set, 1/commit, {concurrency} wkr",
                            single,
                            "Celery no-op round trip",
                            base,
                            "ev/s",
                        )
                    )
        producer.engine.dispose()
        consumer.dispose()
        redis.Redis.from_url(REDIS).flushdb()
    report("Events end to end (commit -> consumed by notifications, PostgreSQL + Redis)", figures)


if __name__ == "__main__":
    main()
