"""What changed, pushed by PostgreSQL to every process: answers built from data that rarely changes are
kept in memory and dropped the moment a commit touches the tables they were built from.

Triggers (each service's migrations) send ``NOTIFY cerdas_changes, '<topic>'`` for every statement that
writes a watched table. PostgreSQL delivers a notification only when its transaction commits, and only
to connections already listening, so each process keeps one connection that listens and counts, per
topic, the changes it heard: a *generation*. An answer kept under generation N is current while the
topic is still at N.

The one window: a commit made by another process is seen here when its notification arrives (well
under a millisecond on one host), not at the commit itself; a commit made by this process invalidates
its own answers at once (``touched``). While the listener is not connected, or does not hear its own
probe (starting, PostgreSQL away, a pooler in between, SQLite), ``generation`` is None and callers read
the database as if nothing were kept.
docs/decisions/0007-change-feed-caches.md says why this trade was made.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Hashable
from typing import Any

import psycopg
from sqlalchemy import Engine

from shared.logging import get_logger

log = get_logger(__name__)
CHANNEL = "cerdas_changes"
# How long the listener waits for notifications before it looks at the time and at whether to stop.
HEARTBEAT_SECONDS = 1.0
# The listener proves it still hears the channel by notifying it itself and hearing that come back. A
# connection lost without a reset, or a pooler in transaction mode that cannot hold a LISTEN, would
# otherwise look live and silent forever; one whose probe stays unheard is given up and opened again.
PROBE_PREFIX = "probe:"
PROBE_EVERY_SECONDS = 5.0
PROBE_TIMEOUT_SECONDS = 5.0
RETRY_SECONDS = 1.0
APPLICATION_NAME = "cerdas-changes"  # how the listening connections show in pg_stat_activity
# Dead sockets fail in seconds instead of the operating system's two hours.
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3}


class FeedDeaf(Exception):
    """The listener did not hear its own probe in time."""


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
        options = {**kwargs, **KEEPALIVES, "autocommit": True, "application_name": APPLICATION_NAME}
        return cls(lambda: psycopg.connect(*args, **options))

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
        probe = f"{PROBE_PREFIX}{os.getpid()}.{uuid.uuid4().hex[:8]}"
        deaf_reported = False
        while not stop.is_set():
            try:
                with self._connect() as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._hear(connection, probe, stop)
            except Exception as exc:  # noqa: BLE001 (any failure means: stop trusting, then listen again)
                with self._lock:
                    was_live, self._live = self._live, False
                # Said once per outage: a feed that never hears its probe (a transaction pooler in between)
                # would otherwise fail silently forever, or fill the log every few seconds.
                if was_live or (isinstance(exc, FeedDeaf) and not deaf_reported):
                    log.warning("change feed lost; reading the database until it is back", error=str(exc)[:300])
                deaf_reported = deaf_reported or isinstance(exc, FeedDeaf)
                stop.wait(RETRY_SECONDS)
        with self._lock:
            self._live = False

    def _hear(self, connection: psycopg.Connection, probe: str, stop: threading.Event) -> None:
        """Count notifications until told to stop. Live only from the first probe heard back: what was kept
        before then may have missed a change, so the epoch moves on."""
        sent_at, heard_at = self._probe(connection, probe), None
        while not stop.is_set():
            for notice in connection.notifies(timeout=HEARTBEAT_SECONDS):
                if notice.payload == probe:
                    if heard_at is None:
                        with self._lock:
                            self._epoch += 1
                            self._live = True
                    heard_at = time.monotonic()
                elif not notice.payload.startswith(PROBE_PREFIX):
                    with self._lock:
                        self._counts[notice.payload] = self._counts.get(notice.payload, 0) + 1
            waited = time.monotonic() - sent_at
            if heard_at is None or heard_at < sent_at:
                if waited > PROBE_TIMEOUT_SECONDS:
                    raise FeedDeaf(f"the listener did not hear its own probe within {PROBE_TIMEOUT_SECONDS:.0f} s")
            elif waited >= PROBE_EVERY_SECONDS:
                sent_at = self._probe(connection, probe)

    def _probe(self, connection: psycopg.Connection, probe: str) -> float:
        sent_at = time.monotonic()
        connection.execute("SELECT pg_notify(%s, %s)", (CHANNEL, probe))
        return sent_at


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
