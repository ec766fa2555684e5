"""What every benchmark shares: throwaway PostgreSQL databases, a figure with its baseline, the report."""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg

POSTGRES = os.environ.get("CERDAS_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("CERDAS_BENCH_REDIS", "redis://127.0.0.1:6379/13")
# The long runs (10^6 pending reminders, 100x the cohort's events and emails) are opt-in.
LARGE = os.environ.get("CERDAS_BENCH_LARGE", "").strip() not in {"", "0", "false", "no"}


@dataclass
class Figure:
    """One measured figure and the baseline it is judged against, both from the same run.

    ``higher_is_better`` is True for rates (requests or messages per second) and False for costs
    (seconds, milliseconds); ``ratio`` is always oriented so that more is better.
    """

    name: str
    value: float
    baseline_name: str
    baseline: float
    unit: str
    target: float | None = None
    higher_is_better: bool = True
    note: str = ""

    @property
    def ratio(self) -> float:
        if self.higher_is_better:
            return self.value / self.baseline if self.baseline else 0.0
        return self.baseline / self.value if self.value else 0.0

    @property
    def verdict(self) -> str:
        if self.target is None:
            return "info"
        return "MET" if self.ratio >= self.target else "NOT MET"


def report(title: str, figures: list[Figure]) -> None:
    """Print the figures; with CERDAS_BENCH_RESULTS set, also append them there for `make bench`'s summary."""
    results = os.environ.get("CERDAS_BENCH_RESULTS", "").strip()
    if results:
        with open(results, "a", encoding="utf-8") as handle:
            for f in figures:
                row = {"title": title, "name": f.name.strip(), "ratio": f.ratio, "target": f.target}
                handle.write(json.dumps({**row, "verdict": f.verdict, "note": f.note}) + "\n")
    print(f"\n== {title}")
    for f in figures:
        target = f"target >= {f.target:.2f}x" if f.target is not None else ""
        print(
            f"  {f.name:44s} {f.value:10.1f} {f.unit:8s} | {f.baseline_name:28s} {f.baseline:10.1f} {f.unit:8s}"
            f" | {f.ratio:6.2f}x {target:16s} {f.verdict}"
        )
        if f.note:
            print(f"      {f.note}")


def check(condition: bool, message: str) -> None:
    """A benchmark reports a speed only after its result is right; a wrong result stops it."""
    if not condition:
        raise SystemExit(f"bench: wrong result, no figure reported: {message}")


@contextmanager
def scratch_database(prefix: str = "cerdas_bench") -> Iterator[str]:
    """A fresh PostgreSQL database for one benchmark, dropped afterwards whatever happens."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def best_of(rounds: int, run: Callable[[], object], reset: Callable[[], object] | None = None) -> float:
    """Fastest of ``rounds`` runs: the machine is shared, and noise only ever adds time."""
    timings = []
    for _ in range(rounds):
        if reset is not None:
            reset()
        timings.append(timed(run))
    return min(timings)


def queued_events(client: object, queue: str) -> list[dict]:
    """The events waiting on a Redis queue, a batch message counting as its events."""
    events = []
    for raw in client.lrange(queue, 0, -1):  # type: ignore[attr-defined]
        message = json.loads(raw)
        body = message["body"]
        if message.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args = json.loads(body)[0]
        events.extend(args[0] if isinstance(args[0], list) else [args[0]])
    return events
