"""What changed, pushed by PostgreSQL to every process: answers built from data that rarely changes are
kept in memory and dropped the moment a commit touches the tables they were built from.

Triggers (each service's migrations) send ``NOTIFY cerdas_changes, '<topic>'`` for every statement that
writes a watched table. PostgreSQL delivers a notification only when its transaction commits, and only
to connections already listening, so each process keeps one connection that listens and counts, per
topic, the changes it heard: a *generation*. An answer kept under generation N is current while the
topic is still at N.

The one window: a commit made by another process is seen here when its notification arrives (well
under a millisecond on one host), not at the commit itself; a commit made by this process invalidates
its own answers at once (``touched``). While the listener is not connected (starting, PostgreSQL away,
SQLite) ``generation`` is None and callers read the database as if nothing were kept.
docs/decisions/0007-change-feed-caches.md says why this trade was made.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Hashable
from typing import Any

import psycopg
from sqlalchemy import Engine

from shared.logging import get_logger

log = get_logger(__name__)
CHANNEL = "cerdas_changes"
# How long the listener waits for a notification before it checks that its connection is alive (one lost
# without a reset, behind a firewall say, would otherwise look live and silent forever) and that it has not
# been told to stop.
HEARTBEAT_SECONDS = 1.0
RETRY_SECONDS = 1.0


class ChangeFeed:
    """Per-topic generations kept current by a listening connection; one per engine and process."""

    def __init__(self, connect: Callable[[], psycopg.Connection]) -> None:
        self._connect = connect
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._epoch = 0  # raised whenever listening (re)starts: what was kept before may have missed a change
        self._live = False
        self._pid: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def for_engine(cls, engine: Engine) -> ChangeFeed | None:
        """A feed for a PostgreSQL engine's database; None for SQLite, which has no notifications."""
        if engine.dialect.name != "postgresql":
            return None
        args, kwargs = engine.dialect.create_connect_args(engine.url)
        return cls(lambda: psycopg.connect(*args, **{**kwargs, "autocommit": True}))

    def generation(self, topic: str) -> int | None:
        """The topic's generation in this process, or None while nothing can be trusted to stay current."""
        self._ensure_listening()
        with self._lock:
            if not self._live:
                return None
            return self._epoch * 1_000_000_007 + self._counts.get(topic, 0)

    def touched(self) -> None:
        """This process committed a change: its own next reads must not answer from before it."""
        with self._lock:
            self._epoch += 1

    def close(self) -> None:
        """Stop listening; the connection closes within a heartbeat."""
        self._stop.set()
        with self._lock:
            self._live = False

    def _ensure_listening(self) -> None:
        # Started on first use in each process: a thread does not survive gunicorn's or Celery's fork.
        if self._pid == os.getpid() and self._thread is not None:
            return
        with self._lock:
            if self._pid == os.getpid() and self._thread is not None:
                return
            self._pid, self._live, self._stop = os.getpid(), False, threading.Event()
            self._thread = threading.Thread(target=self._listen, name="cerdas-changes", daemon=True)
            self._thread.start()

    def _listen(self) -> None:
        stop = self._stop
        while not stop.is_set():
            try:
                with self._connect() as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    with self._lock:
                        self._epoch += 1
                        self._live = True
                    while not stop.is_set():
                        for notice in connection.notifies(timeout=HEARTBEAT_SECONDS):
                            with self._lock:
                                self._counts[notice.payload] = self._counts.get(notice.payload, 0) + 1
                        connection.execute("SELECT 1")
            except Exception as exc:  # noqa: BLE001 (any failure means: stop trusting, then listen again)
                with self._lock:
                    was_live, self._live = self._live, False
                if was_live:
                    log.warning("change feed lost; reading the database until it is back", error=str(exc)[:300])
                stop.wait(RETRY_SECONDS)
        with self._lock:
            self._live = False


class KeptAnswers:
    """Serialised answers (body and ETag, say) for one topic, each kept under the generation it was built
    at. Bounded, because keys may carry free text from a query string. Safe across a worker's threads:
    the generation and its answers are replaced together, as one tuple."""

    LIMIT = 256

    def __init__(self, feed: ChangeFeed | None, topic: str) -> None:
        self._feed = feed
        self._topic = topic
        self._kept: tuple[int | None, dict[Hashable, Any]] = (None, {})

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The answer for ``key``: kept if nothing changed since it was built, else ``build()``."""
        generation = self._feed.generation(self._topic) if self._feed is not None else None
        if generation is None:
            return build()
        kept_generation, answers = self._kept
        if generation == kept_generation and key in answers:
            return answers[key]
        # The generation is read before building: a change committed while building raises it, so what
        # was built from the older data is never served as current.
        answer = build()
        if generation != kept_generation or len(answers) >= self.LIMIT:
            answers = {}
            self._kept = (generation, answers)
        answers[key] = answer
        return answer
