"""Run every benchmark and summarise which targets are met: `make bench` (or `python -m bench`).

Each benchmark runs in a process of its own, one after the other, so none inherits another's warm caches
or connections; each prints its figures, and this prints the summary at the end. CERDAS_BENCH_LARGE=1
adds the long runs (10^6 pending reminders, 100x the cohort's events, 10x its emails).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ("region_import", "http_paths", "events", "email", "reminder_scan", "selection", "outbox_overhead")


def reachable() -> str | None:
    """Why the benchmarks cannot run here, or None: they need PostgreSQL and Redis on loopback."""
    import psycopg
    import redis

    from bench.common import POSTGRES, REDIS

    try:
        psycopg.connect(POSTGRES, connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"PostgreSQL at {POSTGRES} does not answer ({exc}); set CERDAS_BENCH_POSTGRES"
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        return f"Redis at {REDIS} does not answer ({exc}); set CERDAS_BENCH_REDIS"
    return None


def main() -> int:
    only = sys.argv[1:] or list(BENCHMARKS)
    problem = reachable()
    if problem:
        print(f"bench: {problem}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="cerdas-bench-") as folder:
        results = Path(folder) / "results.jsonl"
        env = {**os.environ, "CERDAS_BENCH_RESULTS": str(results), "CERDAS_LOG_LEVEL": "WARNING"}
        failed = []
        started = time.monotonic()
        for name in only:
            print(f"\n##### bench.{name}", flush=True)
            run = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=ROOT, env=env, check=False)
            if run.returncode != 0:
                failed.append(name)
        rows = [json.loads(line) for line in results.read_text().splitlines()] if results.exists() else []
    print(f"\n##### summary ({time.monotonic() - started:.0f} s; ratios: more is better, 1.00 = the baseline)")
    for row in rows:
        target = f">= {row['target']:.2f}" if row["target"] is not None else ""
        print(f"  {row['verdict']:8s} {row['ratio']:6.2f}x {target:8s} {row['title'][:40]:40s} {row['name']}")
        if row["note"].startswith("target:"):
            print(f"  {'':8s} {'':16s} {'':40s}   {row['note']}")
    for name in failed:
        print(f"  FAILED   bench.{name} stopped before reporting (see its output above)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
