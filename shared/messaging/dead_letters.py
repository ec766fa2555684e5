"""Events a consumer could not apply, parked on a durable Redis list where an operator can look and replay."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import redis

from shared.messaging.outbox import Publisher

KEY_PREFIX = "cerdas:dead-letters:"


def dead_letter_key(queue: str) -> str:
    return f"{KEY_PREFIX}{queue}"


class DeadLetters:
    """Nothing is dropped: a malformed message, or one whose handler kept failing after every retry,
    is kept here with the reason until someone replays it (the inbox makes a replay safe)."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client

    @classmethod
    def from_url(cls, url: str) -> DeadLetters:
        return cls(redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5))

    def park(self, queue: str, envelope: Any, reason: str, attempts: int, at: datetime) -> None:
        record = {
            "queue": queue,
            "envelope": envelope,
            "reason": reason[:2000],
            "attempts": attempts,
            "parked_at": at.isoformat(),
        }
        self._client.rpush(dead_letter_key(queue), json.dumps(record, default=str))

    def list(self, queue: str) -> list[dict[str, Any]]:
        return [json.loads(raw) for raw in self._client.lrange(dead_letter_key(queue), 0, -1)]

    def replay(self, queue: str, publisher: Publisher) -> int:
        """Send every parked event back to its queue, oldest first. Each is removed only after the
        broker took it, so a failure part-way leaves the rest parked."""
        replayed = 0
        key = dead_letter_key(queue)
        while (raw := self._client.lindex(key, 0)) is not None:
            record = json.loads(raw)
            publisher.send(queue, record["envelope"])
            self._client.lpop(key)
            replayed += 1
        return replayed

    def close(self) -> None:
        self._client.close()
