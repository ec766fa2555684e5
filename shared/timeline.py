"""One simulated timeline for every process and every `cerdas` call: demos move the whole system's time.

``CERDAS_CLOCK_START`` used to restart the clock at that instant in each process as it booted, so a
worker started four seconds after an API lived four seconds in the past, and a CLI call went back to the
start each time (a cohort was "finalised" before the applications it ranked). The timeline is now stored
once, in the broker every process already shares: the simulated start, the wall-clock instant it
was set and the speed. Each process reads it (again every second, so `cerdas clock set` takes effect
everywhere) and computes the same now.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis

# The standard library's logger: a `cerdas` call prints its result on stdout, and an unconfigured structlog
# would print this warning there too.
log = logging.getLogger(__name__)
KEY = "cerdas:clock:timeline"
# How often each process reads the stored timeline again: a move reaches every process within this long.
# A read is one GET on a broker every process already talks to; a quarter second keeps a demo's moves quick.
REFRESH_SECONDS = 0.25
UNREACHABLE_RETRY_SECONDS = 30.0


@dataclass(frozen=True)
class Timeline:
    start: datetime  # the simulated instant at ...
    anchor: float  # ... this wall-clock time (seconds since the epoch)
    speed: float  # simulated seconds per wall-clock second

    def at(self, wall: float) -> datetime:
        return self.start + timedelta(seconds=(wall - self.anchor) * self.speed)

    def to_json(self) -> str:
        return json.dumps({"start": self.start.isoformat(), "anchor": self.anchor, "speed": self.speed})

    @classmethod
    def from_json(cls, raw: bytes | str) -> Timeline:
        data = json.loads(raw)
        return cls(datetime.fromisoformat(data["start"]).astimezone(UTC), float(data["anchor"]), float(data["speed"]))


def read(client: redis.Redis) -> Timeline | None:
    raw = client.get(KEY)
    return Timeline.from_json(raw) if raw else None


def set_timeline(client: redis.Redis, start: datetime, speed: float = 1.0) -> Timeline:
    """Start (or restart) the shared timeline at ``start`` now, running at ``speed``."""
    timeline = Timeline(start.astimezone(UTC), time.time(), speed)
    client.set(KEY, timeline.to_json())
    return timeline


def clear(client: redis.Redis) -> None:
    client.delete(KEY)


class SharedClock:
    """The shared timeline's now. The first process to need it with none stored stores one from its own
    settings; every other process, and every later one, follows that one. Given no start, the process
    runs on the wall clock whenever no timeline is stored."""

    def __init__(
        self, broker_url: str, start: datetime | None, speed: float = 1.0, refresh_seconds: float = REFRESH_SECONDS
    ) -> None:
        self._client = redis.Redis.from_url(broker_url, socket_timeout=2, socket_connect_timeout=2)
        # Without a start of its own the process runs on the wall clock until someone stores a timeline,
        # and stores none itself: `cerdas clock reset` then returns it to the wall clock.
        self._follows_only = start is None
        wall = time.time()
        if start is None:
            self._fallback = Timeline(datetime.fromtimestamp(wall, UTC), wall, 1.0)
        else:
            self._fallback = Timeline(start.astimezone(UTC), wall, speed)
        self._timeline: Timeline | None = None
        self._read_at = float("-inf")
        self._refresh = refresh_seconds

    def _current(self) -> Timeline:
        wall = time.monotonic()
        if self._timeline is None or wall - self._read_at >= self._refresh:
            try:
                stored = read(self._client)
                if stored is None and not self._follows_only:
                    # Only the first writer wins: a second process starting at the same moment adopts it.
                    self._client.set(KEY, self._fallback.to_json(), nx=True)
                    stored = read(self._client)
                self._timeline, self._read_at = stored or self._fallback, wall
            except redis.RedisError as exc:
                if self._timeline is None:
                    # Only a process told to run on the timeline needs to hear that it cannot; one that
                    # merely follows (a `cerdas token` with no broker about) just keeps the wall clock.
                    report = log.debug if self._follows_only else log.warning
                    report("the shared clock is unreachable; this process keeps its own", error=str(exc))
                    self._timeline = self._fallback
                # A process that merely follows asks again less often, so a broker that is away does not
                # cost every reading of the clock a connection attempt.
                self._read_at = wall + (UNREACHABLE_RETRY_SECONDS if self._follows_only else 0.0)
        return self._timeline

    def now(self) -> datetime:
        return self._current().at(time.time())
