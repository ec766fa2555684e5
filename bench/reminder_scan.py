"""One reminder scan with 100 reminders due, among 10^3 and many more pending rows (PostgreSQL).

    .venv/bin/python -m bench.reminder_scan [--pending 1000 100000]

The rows are made with set-based SQL (generate_series): deadlines five months out with five pending
reminders each, of which 100 (one per deadline, across 100 regions) are made due. The scan is what the
beat runs (`sending.scan_reminders`): find the due deadlines, ask the directory for their officials
(answered from its cache, so no HTTP is timed), and turn the reminders into deliveries. It is timed
best of five, resetting the 100 reminders and their deliveries between runs; each run must create the
same deliveries, once each. The target: the scan among the most rows costs no more than 1.5x the scan
among 10^3. CERDAS_BENCH_LARGE=1 adds 10^6 pending rows.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from sqlalchemy import text

from bench.common import LARGE, REDIS, Figure, best_of, check, report, scratch_database
from services.notifications import sending
from shared.config import load_settings
from shared.logging import configure_logging
from shared.migrate import upgrade

DUE = 100
TARGET = 1 / 1.5
OFFICIALS = [
    {"role": "head_of_region", "name": "Kepala Daerah", "email": "kepala@bench.example"},
    {"role": "regional_secretary", "name": "Sekretaris Daerah", "email": "sekda@bench.example"},
    {"role": "kominfo_head", "name": "Kepala Dinas Kominfo", "email": "kominfo@bench.example"},
]

GENERATE = """
INSERT INTO deadlines (id, region_code, region_name, timezone, kind, title, due_at, audience, link, status,
                       source, correlation_id, generation, version, reminders, last_event_at, updated_at)
SELECT 'bench-' || g, lpad((10 + g % 90)::text, 2, '0') || '.' || lpad((1 + g % 99)::text, 2, '0'),
       'Kabupaten Bench', 'Asia/Jakarta', 'milestone', 'Tonggak ' || g, now() + interval '150 days',
       '["kominfo_head"]'::jsonb, NULL, 'active', 'mentoring', NULL, 1, 1, 'standard', now(), now()
FROM generate_series(1, :deadlines) AS g;
INSERT INTO reminders (id, deadline_id, generation, kind, step, due_at, status)
SELECT md5('bench-' || g || '-' || k), 'bench-' || g, 1, kinds.kind, kinds.step,
       now() + interval '150 days' - kinds.days * interval '1 day', 'pending'
FROM generate_series(1, :deadlines) AS g,
     (VALUES ('before_7', 0, 7), ('before_3', 0, 3), ('before_1', 0, 1), ('on_day', 0, 0), ('overdue_1', 1, -1))
         AS kinds(kind, step, days),
     LATERAL (SELECT CASE kinds.kind WHEN 'before_7' THEN 1 WHEN 'before_3' THEN 2 WHEN 'before_1' THEN 3
                                     WHEN 'on_day' THEN 4 ELSE 5 END AS k) AS n;
ANALYZE deadlines;
ANALYZE reminders;
"""
# The 100 due: the first reminder of 100 deadlines spread over the table, 100 distinct regions.
MAKE_DUE = """
UPDATE reminders SET due_at = now() - interval '1 hour', status = 'pending', dispatched_at = NULL
WHERE kind = 'before_7' AND deadline_id IN (SELECT 'bench-' || (g * (:deadlines / 100)) FROM generate_series(1, 100) g);
DELETE FROM deliveries;
"""


def scan_cost(pending: int) -> tuple[float, int]:
    from services.notifications.app import bootstrap

    with scratch_database() as url:
        upgrade("notifications", url)
        settings = load_settings({"CERDAS_NOTIFICATIONS_DATABASE_URL": url, "CERDAS_BROKER_URL": REDIS})
        runtime = bootstrap(settings, officials_source=_Officials())
        configure_logging("bench", "WARNING", "json")
        deadlines = pending // 5
        with runtime.engine.begin() as connection:
            for statement in GENERATE.strip().split(";\n"):
                connection.execute(text(statement), {"deadlines": deadlines})
        created: list[int] = []

        def reset() -> None:
            with runtime.engine.begin() as connection:
                for statement in MAKE_DUE.strip().split(";\n"):
                    connection.execute(text(statement), {"deadlines": deadlines})

        def scan() -> None:
            created.append(sending.scan_reminders(runtime.uow, runtime.notifier))

        reset()
        scan()  # the directory caches the officials of each region, as a running beat's has
        seconds = best_of(5, scan, reset)
        with runtime.engine.connect() as connection:
            rows, distinct = connection.execute(
                text("SELECT count(*), count(DISTINCT (dedupe_key, recipient)) FROM deliveries")
            ).one()
            pending_now = connection.execute(text("SELECT count(*) FROM reminders WHERE status = 'pending'")).scalar()
        check(len(set(created)) == 1 and created[0] >= DUE, f"every scan created the same deliveries: {created}")
        check(rows == distinct == created[0], "one delivery per (reminder, recipient)")
        check(pending_now == pending - DUE, "the 100 due reminders were dispatched, the rest left pending")
        runtime.engine.dispose()
    return seconds, pending


class _Officials:
    """The assessment service's answer, without HTTP: the scan is timed, not the network."""

    def get_json(self, path: str, params: dict | None = None) -> dict:
        return {"region_code": path.split("/")[2], "officials": OFFICIALS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pending", type=int, nargs="+", default=[1000, 100_000] + ([1_000_000] if LARGE else []))
    args = parser.parse_args()
    configure_logging("bench", "WARNING", "json")
    started = datetime.now(UTC)
    results = [scan_cost(pending) for pending in args.pending]
    base_seconds, base_pending = results[0]
    figures = [
        Figure(
            f"scan, 100 due among {pending:,} pending",
            seconds * 1e3,
            f"the same among {base_pending:,}",
            base_seconds * 1e3,
            "ms",
            TARGET,
            higher_is_better=False,
        )
        for seconds, pending in results[1:]
    ]
    report(f"Reminder scan (PostgreSQL; {(datetime.now(UTC) - started).seconds} s with data generation)", figures)


if __name__ == "__main__":
    main()
