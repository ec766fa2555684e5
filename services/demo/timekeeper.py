"""Who moves time in the demo: the shared timeline in the broker (every process follows it), or the wall clock."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol

import redis

from services.demo.api import DemoError
from shared import timeline


class Timekeeper(Protocol):
    simulated: bool

    def now(self) -> datetime: ...

    def move_to(self, instant: datetime) -> None: ...

    def restore(self) -> None:
        """Put back the timeline found on arrival (none: clear it), as if the demo had never moved time."""
        if self._previous is None:
            timeline.clear(self._client)
        else:
            self._client.set(timeline.KEY, self._previous.to_json())
        self._current = None

    def finish(self) -> None: ...


class SharedTimeline:
    """Moves every Cerdas process at once by storing the timeline they all read (shared/timeline.py).

    Between moves the story's time runs at ``speed``; a move is complete once every process has read the
    timeline again, which each does at least every ``timeline.REFRESH_SECONDS``."""

    simulated = True

    def __init__(self, broker_url: str, speed: float) -> None:
        self._client = redis.Redis.from_url(broker_url, socket_timeout=5, socket_connect_timeout=5)
        self._speed = speed
        self._current: timeline.Timeline | None = None
        self.moves = 0
        try:
            self._previous = timeline.read(self._client)
        except redis.RedisError as exc:
            raise DemoError(
                f"the broker at {broker_url} did not answer ({exc}); the demo moves time through it. Start the "
                "services with `make run`, or set CERDAS_BROKER_URL to the broker they use."
            ) from None

    def now(self) -> datetime:
        if self._current is None:
            return datetime.now(UTC)
        return self._current.at(time.time())

    def move_to(self, instant: datetime) -> None:
        if self._current is not None and instant <= self.now():
            return
        self._current = timeline.set_timeline(self._client, instant, self._speed)
        self.moves += 1
        # Every process reads the stored timeline again within this long; after it, all agree on the new now.
        time.sleep(timeline.REFRESH_SECONDS + 0.05)

    def restore(self) -> None:
        """Put back the timeline found on arrival (none: clear it), as if the demo had never moved time."""
        if self._previous is None:
            timeline.clear(self._client)
        else:
            self._client.set(timeline.KEY, self._previous.to_json())
        self._current = None

    def finish(self) -> None:
        """Leave the system where the story stopped (at its end, or where it was interrupted), running at real
        speed, for the console and the APIs."""
        if self._current is not None and self._current.speed != 1.0:
            self._current = timeline.set_timeline(self._client, self.now(), 1.0)


def stored_timeline(broker_url: str) -> timeline.Timeline | None:
    """The shared timeline in the broker, if one is set (None too when the broker does not answer)."""
    client = redis.Redis.from_url(broker_url, socket_timeout=5, socket_connect_timeout=5)
    try:
        return timeline.read(client)
    except redis.RedisError:
        return None
    finally:
        client.close()


class WallClock:
    """Real time from today: the demo waits for each moment of the story to come."""

    simulated = False

    def __init__(self) -> None:
        self.moves = 0

    def now(self) -> datetime:
        return datetime.now(UTC)

    def move_to(self, instant: datetime) -> None:
        while (left := (instant - self.now()).total_seconds()) > 0:
            time.sleep(min(left, 60.0))
        self.moves += 1

    def restore(self) -> None:
        """Put back the timeline found on arrival (none: clear it), as if the demo had never moved time."""
        if self._previous is None:
            timeline.clear(self._client)
        else:
            self._client.set(timeline.KEY, self._previous.to_json())
        self._current = None

    def finish(self) -> None:
        return None
