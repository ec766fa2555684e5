"""Read Celery messages straight off a Redis queue, to see what really reached the broker."""

from __future__ import annotations

import base64
import json
from typing import Any

import redis


def queued_envelopes(client: redis.Redis, queue: str) -> list[dict[str, Any]]:
    envelopes = []
    for raw in client.lrange(queue, 0, -1):
        message = json.loads(raw)
        body = message["body"]
        if message.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args, _kwargs, _embed = json.loads(body)
        # The relay sends the events one transaction recorded for a queue as one message (a list).
        envelopes.extend(args[0] if isinstance(args[0], list) else [args[0]])
    return envelopes
