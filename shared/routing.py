"""Which queues receive each event type: one durable queue per consuming service."""

from __future__ import annotations

from shared.events import EVENT_TYPES
from shared.registry import SERVICE_QUEUES

__all__ = ["SERVICE_QUEUES", "event_task_name", "routing_table", "subscribers", "sweep_task_name"]

# Domain subscriptions. Notifications additionally receives every event (it keeps the
# deadline projection and sends stage notices), which `subscribers()` adds.
SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "assessment.region_selected": ("mou",),
    "mou.signed": ("mentoring",),
}

EVERYTHING_CONSUMER = "notifications"


def event_task_name(queue: str) -> str:
    """The Celery task that consumes events on ``queue``; a stable dotted name."""
    return f"cerdas.{queue}.handle_event"


def sweep_task_name(service: str) -> str:
    return f"cerdas.{service}.sweep_outbox"


def subscribers(event_type: str) -> tuple[str, ...]:
    """Queues that get a copy of ``event_type``, without duplicates, in a stable order."""
    if event_type not in EVENT_TYPES:
        raise KeyError(f"no route for unknown event type {event_type!r}")
    queues = list(SUBSCRIPTIONS.get(event_type, ()))
    if EVERYTHING_CONSUMER not in queues:
        queues.append(EVERYTHING_CONSUMER)
    return tuple(queues)


def routing_table() -> dict[str, tuple[str, ...]]:
    return {event_type: subscribers(event_type) for event_type in EVENT_TYPES}
