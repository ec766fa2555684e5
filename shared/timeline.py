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
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis

from shared.logging import get_logger

log = get_logger(__name__)
KEY = "cerdas:clock:timeline"


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
    settings; every other process, and every later one, follows that one."""

    def __init__(self, broker_url: str, start: datetime, speed: float = 1.0, refresh_seconds: float = 1.0) -> None:
        self._client = redis.Redis.from_url(broker_url, socket_timeout=2, socket_connect_timeout=2)
        self._fallback = Timeline(start.astimezone(UTC), time.time(), speed)
        self._timeline: Timeline | None = None
        self._read_at = float("-inf")
        self._refresh = refresh_seconds

    def _current(self) -> Timeline:
        wall = time.monotonic()
        if self._timeline is None or wall - self._read_at >= self._refresh:
            try:
                stored = read(self._client)
                if stored is None:
                    # Only the first writer wins: a second process starting at the same moment adopts it.
                    self._client.set(KEY, self._fallback.to_json(), nx=True)
                    stored = read(self._client) or self._fallback
                self._timeline, self._read_at = stored, wall
            except redis.RedisError as exc:
                if self._timeline is None:
                    log.warning("the shared clock is unreachable; this process keeps its own", error=str(exc))
                    self._timeline = self._fallback
                self._read_at = wall
        return self._timeline

    def now(self) -> datetime:
        return self._current().at(time.time())
