"""What the notification service says it sent (GET /deliveries), counted for the stage summaries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from services.demo.story import Story


def instant(text: str) -> datetime:
    """An instant from the API; one without an offset is UTC (what every Cerdas service stores)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def deliveries(story: Story, region_code: str) -> list[dict[str, Any]]:
    return story.api.get("notifications", f"/deliveries?region={region_code}&limit=1000")["items"]


def reminders_by_kind(story: Story, region_codes: Iterable[str], start: datetime) -> dict[str, int]:
    """Reminder emails to these regions' officials since ``start``, by kind (before_7, on_day, overdue_1, ...)."""
    counts: Counter[str] = Counter()
    for items in story.api.many(lambda code: deliveries(story, code), list(dict.fromkeys(region_codes))):
        for item in items:
            if item["kind"].startswith("reminder_") and instant(item["created_at"]) >= start:
                counts[item["kind"].removeprefix("reminder_")] += 1
    return dict(counts)
