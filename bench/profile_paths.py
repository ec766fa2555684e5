"""Profile the hot HTTP paths in process with pyinstrument (a dev dependency): where a request's time goes.

    .venv/bin/python -m bench.profile_paths [regions|ranking|officials|apply ...] [--requests 200]

The app runs on PostgreSQL through Flask's test client, so the profile shows the application's own cost
(routing, auth, the unit of work, SQL, serialisation), not gunicorn's.
"""

from __future__ import annotations

import argparse

from pyinstrument import Profiler

from bench.common import REDIS, scratch_database
from bench.http_paths import APPLY_YEARS, YEAR, bearer, post_application, put_officials, seed
from services.assessment.orm import metadata
from shared.config import load_settings
from shared.logging import configure_logging
from shared.migrate import upgrade
from shared.runtime import build_runtime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", default=["regions", "ranking", "officials", "apply"])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    configure_logging("bench", "WARNING", "json")
    from services.assessment.app import create_app

    with scratch_database() as url:
        upgrade("assessment", url)
        settings = load_settings({"CERDAS_ASSESSMENT_DATABASE_URL": url, "CERDAS_BROKER_URL": REDIS})
        runtime = build_runtime("assessment", settings, metadata)
        codes = seed(runtime)
        client = create_app(runtime).test_client()
        operator = {"Authorization": bearer("operator")}
        makers = {
            "regions": lambda i: ("GET", "/regions", operator, b""),
            "ranking": lambda i: ("GET", f"/cohorts/{YEAR}/ranking", operator, b""),
            "officials": put_officials(codes),
            "apply": post_application([(year, code) for year in APPLY_YEARS for code in codes]),
        }
        for name in args.paths:
            make = makers[name]
            for i in range(20):  # warm caches and the connection pool
                method, path, headers, body = make(i)
                client.open(path, method=method, headers=headers, data=body)
            profiler = Profiler(interval=0.0005)
            profiler.start()
            for i in range(args.requests):
                method, path, headers, body = make(20 + i)
                answer = client.open(path, method=method, headers=headers, data=body)
                assert answer.status_code < 300, answer.get_json()
            profiler.stop()
            print(f"\n######## {name}: {args.requests} requests")
            print(profiler.output_text(unicode=False, color=False, show_all=False, short_mode=False))
        runtime.close()


if __name__ == "__main__":
    main()
