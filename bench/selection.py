"""The 2023 cohort's selection, from the operator's request to every deadline planned in notifications.

    .venv/bin/python -m bench.selection

Real processes, as `make run` starts them but on PostgreSQL: the assessment API under gunicorn (it also
answers notifications' questions about officials), the MoU and notifications workers (one process
each, as in the Procfile) and an SMTP sink for the selection notices. 96 scored applicants; selection
picks 2 provinces and 50 kabupaten/kota. The clock starts at the selection request and stops when the
MoU service has drafted 52 agreements, every event has been consumed by notifications (its inbox
holds one row per event the two services published) and each agreement's signing deadline has its
reminders planned. The baseline is the same number of messages sent as no-op Celery tasks to one
no-op worker. Target: within 10 s.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import redis
from sqlalchemy import create_engine, text

from bench.common import REDIS, Figure, check, report, scratch_database
from bench.email import sink
from bench.events import stop, wait_for, worker
from bench.http_paths import YEAR, bearer, seed
from bench.servers import free_port, gunicorn
from services.assessment.orm import metadata as assessment_metadata
from shared.config import load_settings
from shared.logging import configure_logging
from shared.migrate import upgrade
from shared.routing import event_task_name
from shared.runtime import build_runtime

LIMIT_SECONDS = 10.0


def engine(url: str):  # noqa: ANN201
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://"))


def count(database, sql: str) -> int:  # noqa: ANN001
    with database.connect() as connection:
        return int(connection.execute(text(sql)).scalar() or 0)


def noop_seconds(messages: int, env: dict[str, str]) -> float:
    os.environ["CERDAS_BROKER_URL"] = REDIS
    from bench.noop_worker import COUNTER, celery

    broker = redis.Redis.from_url(REDIS)
    broker.flushdb()
    process = worker("bench.noop_worker", 1, env)
    try:
        send = lambda i: celery.send_task(event_task_name("notifications"), args=[{"n": i}], queue="notifications")  # noqa: E731
        send(-1)
        wait_for(lambda: broker.get(COUNTER) == b"1", 60)
        started = time.perf_counter()
        for i in range(messages):
            send(i)
        wait_for(lambda: int(broker.get(COUNTER) or 0) == messages + 1)
        return time.perf_counter() - started
    finally:
        stop(process)


def warm_up(env: dict[str, str]) -> None:
    from shared.celery_app import CeleryPublisher, create_celery
    from shared.events import OfficialsChangedV1, new_event

    celery = create_celery("bench", load_settings(env))
    wire = new_event(
        "assessment.officials_changed",
        source="assessment",
        subject="11.01",
        data=OfficialsChangedV1(region_code="11.01", roles=["kominfo_head"]),
        occurred_at=datetime.now(UTC),
        correlation_id="bench-warm-up",
    ).to_json_dict()
    for queue in ("mou", "notifications"):
        CeleryPublisher(celery).send(queue, wire)


def main() -> None:
    configure_logging("bench", "WARNING", "json")
    maildir = Path(tempfile.mkdtemp(prefix="cerdas-bench-mail-"))
    smtp_port = free_port()
    smtp = sink(smtp_port, maildir)
    try:
        with scratch_database() as a_url, scratch_database() as m_url, scratch_database() as n_url:
            for service, url in (("assessment", a_url), ("mou", m_url), ("notifications", n_url)):
                upgrade(service, url)
            settings = load_settings({"CERDAS_ASSESSMENT_DATABASE_URL": a_url, "CERDAS_BROKER_URL": REDIS})
            runtime = build_runtime("assessment", settings, assessment_metadata)
            seed(runtime)
            runtime.engine.dispose()
            assessment, mou, notifications = engine(a_url), engine(m_url), engine(n_url)
            with assessment.begin() as connection:
                connection.execute(text("TRUNCATE outbox"))  # the seeding's events are not what is timed
            redis.Redis.from_url(REDIS).flushdb()
            env = {
                "CERDAS_ASSESSMENT_DATABASE_URL": a_url,
                "CERDAS_MOU_DATABASE_URL": m_url,
                "CERDAS_NOTIFICATIONS_DATABASE_URL": n_url,
                "CERDAS_BROKER_URL": REDIS,
                "CERDAS_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
                "CERDAS_LOG_LEVEL": "WARNING",
            }
            with gunicorn("services.assessment.app:create_app()", env) as port:
                env["CERDAS_ASSESSMENT_URL"] = f"http://127.0.0.1:{port}"
                workers = [
                    worker("services.mou.worker", 1, env, "mou"),
                    worker("services.notifications.worker", 1, env),
                ]
                try:
                    # The clock starts once both workers have consumed a harmless event each.
                    warm_up(env)
                    wait_for(
                        lambda: (
                            count(mou, "SELECT count(*) FROM inbox") == 1
                            and count(notifications, "SELECT count(*) FROM inbox") == 1
                        ),
                        120,
                    )
                    started = time.perf_counter()
                    request = urllib.request.Request(
                        f"http://127.0.0.1:{port}/cohorts/{YEAR}/selection",
                        data=json.dumps({"force": True, "reason": "benchmark"}).encode(),
                        headers={"Authorization": bearer("operator"), "Content-Type": "application/json"},
                        method="POST",
                    )
                    with urllib.request.urlopen(request, timeout=60) as answer:
                        check(answer.status == 200, "the selection ran")

                    def settled() -> bool:
                        if count(mou, "SELECT count(*) FROM agreements") < 52:
                            return False
                        published = count(assessment, "SELECT count(*) FROM outbox") + count(
                            mou, "SELECT count(*) FROM outbox"
                        )
                        return (
                            count(notifications, "SELECT count(*) FROM inbox") == published + 1  # and the warm-up
                            and count(
                                notifications,
                                "SELECT count(DISTINCT d.id) FROM deadlines d JOIN reminders r ON r.deadline_id = d.id"
                                " WHERE d.id LIKE 'mou:%'",
                            )
                            == 52
                        )

                    wait_for(settled, 120)
                    seconds = time.perf_counter() - started
                finally:
                    for process in workers:
                        stop(process)
            messages = count(mou, "SELECT count(*) FROM inbox") + count(notifications, "SELECT count(*) FROM inbox")
            check(count(mou, "SELECT count(DISTINCT region_code) FROM agreements") == 52, "one draft per region")
            check(
                count(notifications, "SELECT count(*) FROM inbox")
                == count(notifications, "SELECT count(DISTINCT event_id) FROM inbox"),
                "each event consumed once",
            )
            for database in (assessment, mou, notifications):
                database.dispose()
            baseline = noop_seconds(messages, env)
            redis.Redis.from_url(REDIS).flushdb()
    finally:
        smtp.send_signal(signal.SIGTERM)
        smtp.wait(timeout=30)
        shutil.rmtree(maildir, ignore_errors=True)
    report(
        "Selection of the 2023 cohort -> deadlines planned in notifications (real processes, PostgreSQL)",
        [
            Figure(
                "selection to all deadlines planned",
                seconds,
                f"{messages} messages as no-op tasks",
                baseline,
                "s",
                higher_is_better=False,
                note=f"target: within {LIMIT_SECONDS:.0f} s: {'MET' if seconds <= LIMIT_SECONDS else 'NOT MET'}",
            )
        ],
    )


if __name__ == "__main__":
    main()
