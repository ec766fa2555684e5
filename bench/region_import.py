"""`cerdas regions import` against a plain bulk INSERT of the same 552 rows, on PostgreSQL.

    .venv/bin/python -m bench.region_import

Both run into an emptied table, in one transaction each with its commit, best of five; the import
includes its checks (codes, duplicates, parent provinces) and the register's revision bump. It also
counts the SQL statements the import sends (one read and one write per row before the bulk rewrite).
"""

from __future__ import annotations

from sqlalchemy import event, func, insert, select, text

from bench.common import REDIS, Figure, best_of, check, report, scratch_database
from services.assessment import commands, handlers
from services.assessment.orm import Region, metadata
from services.assessment.register import bundled_regions_csv, read_regions_csv
from shared.config import load_settings
from shared.logging import configure_logging
from shared.migrate import upgrade
from shared.runtime import build_runtime

TARGET = 0.5


def main() -> None:
    configure_logging("bench", "WARNING", "json")
    regions = read_regions_csv(bundled_regions_csv())
    with scratch_database() as url:
        upgrade("assessment", url)
        settings = load_settings({"CERDAS_ASSESSMENT_DATABASE_URL": url, "CERDAS_BROKER_URL": REDIS})
        runtime = build_runtime("assessment", settings, metadata)
        engine = runtime.engine
        clock = runtime.clock
        rows = [
            {
                "code": r.code,
                "name": r.name,
                "kind": r.kind,
                "province_code": r.province_code,
                "timezone": r.timezone,
                "created_at": clock.now(),
                "updated_at": clock.now(),
            }
            for r in regions
        ]

        def empty() -> None:
            with engine.begin() as connection:
                connection.execute(text("TRUNCATE regions CASCADE"))

        def plain() -> None:
            with engine.begin() as connection:
                connection.execute(insert(Region), rows)

        counts: dict[str, int] = {}

        def cerdas() -> None:
            with runtime.uow() as uow:
                counts.update(handlers.import_regions(uow, commands.ImportRegions(tuple(regions))))
                uow.commit()

        def stored() -> tuple[int, int]:
            with engine.connect() as connection:
                return connection.execute(select(func.count(), func.count(Region.code.distinct()))).one()

        baseline = best_of(5, plain, empty)
        check(stored() == (552, 552), "the plain insert stored 552 distinct regions")
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        empty()
        event.listen(engine, "before_cursor_execute", listener)
        cerdas()
        event.remove(engine, "before_cursor_execute", listener)
        seconds = best_of(5, cerdas, empty)
        check(stored() == (552, 552) and counts["created"] == 552, "the import created 552 distinct regions")
        runtime.engine.dispose()
    report(
        "Region import (552 rows, PostgreSQL)",
        [
            Figure(
                "cerdas regions import",
                seconds * 1e3,
                "one bulk INSERT",
                baseline * 1e3,
                "ms",
                TARGET,
                higher_is_better=False,
                note=f"{len(statements)} SQL statements for 552 rows",
            )
        ],
    )


if __name__ == "__main__":
    main()
