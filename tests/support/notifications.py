"""Helpers for notification tests: officials of a region, events on the wire, and moving time."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import time_machine

from shared import events
from shared.clock import FixedClock
from shared.events import new_event
from shared.messaging.inbox import consume
from shared.routing import event_task_name

REGION = "12.01"
REGION_NAME = "Kabupaten Tapanuli Tengah"
OFFICIALS = [
    {
        "role": "head_of_region",
        "name": "Elfin Ilyas Nainggolan",
        "title": "S.STP., M.Si.",
        "acting": "Pj",
        "position": "Bupati Tapanuli Tengah",
        "email": "bupati@tapteng.example",
    },
    {
        "role": "regional_secretary",
        "name": "Sugiharto Hutabarat",
        "title": "S.H.",
        "acting": "Plh",
        "position": "Sekretaris Daerah Kabupaten Tapanuli Tengah",
        "email": "sekda@tapteng.example",
    },
    {
        "role": "kominfo_head",
        "name": "Fachrul Rozi Hutagalung",
        "title": "S.Kom.",
        "acting": None,
        "position": "Kepala Dinas Kominfo Kabupaten Tapanuli Tengah",
        "email": "kominfo@tapteng.example",
    },
    {
        "role": "bappeda_head",
        "name": "Sri Rahayu Pasaribu",
        "title": "S.E., M.M.",
        "acting": None,
        "position": "Kepala Bappeda Kabupaten Tapanuli Tengah",
        "email": "bappeda@tapteng.example",
    },
]
EMAIL = {o["role"]: o["email"] for o in OFFICIALS}


class FakeTransport:
    """Keeps what would have been handed to the mail server; ``failures`` answers the next sends."""

    def __init__(self, *failures: Exception) -> None:
        self.sent: list[Any] = []
        self.failures = list(failures)

    def send(self, message: Any) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)
        return "250 accepted"


def calendar_of(message: Any) -> Any:
    """The parsed .ics attached to an email, or None when it carries none."""
    import icalendar

    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return icalendar.Calendar.from_ical(parts[0].get_payload(decode=True)) if parts else None


def text_of(message: Any) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: Any) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


class FakeOfficials:
    """Stands in for the assessment service's officials endpoint; counts the calls."""

    def __init__(self, officials: list[dict[str, Any]] | None = None) -> None:
        self.officials = copy.deepcopy(officials if officials is not None else OFFICIALS)
        self.calls = 0

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        self.calls += 1
        return {"region_code": path.split("/")[2], "officials": copy.deepcopy(self.officials)}


def queued_events(client: Any, queue: str = "notifications") -> list[dict]:
    """Event envelopes waiting on a queue, skipping the service's own task messages."""
    out = []
    for raw in client.lrange(queue, 0, -1):
        message = json.loads(raw)
        if message.get("headers", {}).get("task") != event_task_name(queue):
            continue
        body = message["body"]
        if message.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        out.append(json.loads(body)[0][0])
    return out


def wire(event_type: str, data: events.EventData, at: datetime, source: str = "mentoring", **extra: Any) -> dict:
    """An envelope as a consumer receives it."""
    return new_event(
        event_type,
        source=source,
        subject=getattr(data, "region_code", REGION),
        data=data,
        occurred_at=at,
        correlation_id=extra.get("correlation_id", "corr-notifications"),
    ).to_json_dict()


def deadline_set(
    due_at: datetime,
    at: datetime,
    deadline_id: str = "mentoring:milestone:m-1",
    audience: tuple[str, ...] = ("kominfo_head", "bappeda_head"),
    title: str = "SK Dewan Smart City",
    timezone: str = "Asia/Jakarta",
    **fields: Any,
) -> dict:
    """A deadline.set on the wire; ``fields`` adds what newer producers send (version, reminders, ...)."""
    data = events.DeadlineSetV1(
        deadline_id=deadline_id,
        region_code=fields.pop("region_code", REGION),
        region_name=fields.pop("region_name", REGION_NAME),
        timezone=timezone,
        kind=fields.pop("kind", "milestone"),
        title=title,
        due_at=due_at,
        audience=list(audience),
        **fields,
    )
    return wire("deadline.set", data, at)


def deliver_event(runtime: Any, envelope: dict) -> str:
    """Apply one event through the service's consumer, as its Celery task does."""
    from services.notifications.consumers import subscriptions as event_handlers

    return consume(runtime.uow, event_handlers(runtime), envelope)


@contextmanager
def moved_to(clock: FixedClock, at: datetime) -> Iterator[None]:
    """Move the service's clock and the process's wall clock together."""
    clock.set(at)
    with time_machine.travel(at, tick=False):
        yield


def sweep(runtime: Any) -> dict[str, Any]:
    """One beat tick: the reminder scan, then the delivery of what it queued (tasks called in-process)."""
    from shared.celery_app import DELIVERY_TASK, REMINDER_SCAN_TASK

    scan = runtime.celery.tasks[REMINDER_SCAN_TASK].run()
    sent = runtime.celery.tasks[DELIVERY_TASK].run()
    return {"scan": scan, "deliver": sent}
