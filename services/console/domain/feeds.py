"""A region's calendar feed: the events it lists, and when an event's SEQUENCE must rise."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime

UID_DOMAIN = "feed.cerdas.example"


@dataclass(frozen=True)
class FeedEvent:
    """One entry of the feed. ``start``/``end`` are dates for all-day deadlines, instants for ceremonies."""

    uid: str
    summary: str
    start: date | datetime
    end: date | datetime
    description: str = ""
    location: str | None = None
    cancelled: bool = False


def feed_uid(kind: str, ident: str) -> str:
    """Stable per thing, and distinct from the UIDs of emailed invitations: a subscribed calendar and an
    inbox keep their own copies, each with its own SEQUENCE."""
    return f"{kind}-{ident}@{UID_DOMAIN}"


def content_hash(event: FeedEvent) -> str:
    """Everything a calendar shows; the same facts always give the same hash."""

    def text(value: date | datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    facts = {
        "summary": event.summary,
        "start": text(event.start),
        "end": text(event.end),
        "description": event.description,
        "location": event.location,
        "cancelled": event.cancelled,
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def next_sequence(previous: tuple[str, int] | None, new_hash: str) -> int:
    """RFC 5545: a calendar applies an update only if its SEQUENCE is higher than the copy it holds."""
    if previous is None:
        return 0
    old_hash, sequence = previous
    return sequence if old_hash == new_hash else sequence + 1
