"""Calendar attachments (RFC 5545): a deadline's entry, or the events a stage notice carries."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from services.notifications.mail.compose import MAIL_DOMAIN


def deadline_calendar(deadline_id: str, title: str, due_at: datetime, timezone: str, stamp: datetime) -> bytes:
    """A one-hour calendar entry ending at the deadline, in the region's time zone (RFC 5545)."""
    end = due_at.astimezone(ZoneInfo(timezone)).replace(microsecond=0, second=0)
    entry = {
        "uid": f"{deadline_id}@{MAIL_DOMAIN}",
        "summary": f"Tenggat: {title}",
        "description": f"Batas waktu / deadline: {title}",
        "start": (end - timedelta(hours=1)).isoformat(),
        "end": end.isoformat(),
        "alarm_days": 1,
    }
    return calendar_bytes({"method": "PUBLISH", "timezone": timezone, "events": [entry]}, stamp)


def calendar_bytes(spec: dict[str, Any], stamp: datetime, attendee: str | None = None) -> bytes:
    """Any calendar a notice carries, from the JSON spec stored with its delivery (RFC 5545).

    ``spec``: method (PUBLISH, or REQUEST for an invitation), timezone, organizer (for REQUEST) and
    events, each with uid, summary, description, start, end (ISO instants), optional location,
    sequence and alarm_days. Times are written in the region's own zone with its VTIMEZONE.
    """
    zone = ZoneInfo(spec["timezone"])
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Cerdas//Menuju Kota Cerdas//ID")
    calendar.add("version", "2.0")
    calendar.add("method", spec.get("method", "PUBLISH"))
    for entry in spec["events"]:
        event = icalendar.Event()
        event.add("uid", entry["uid"])
        event.add("dtstamp", stamp)
        event.add("dtstart", datetime.fromisoformat(entry["start"]).astimezone(zone).replace(microsecond=0))
        event.add("dtend", datetime.fromisoformat(entry["end"]).astimezone(zone).replace(microsecond=0))
        event.add("summary", entry["summary"])
        event.add("description", entry["description"])
        if entry.get("location"):
            event.add("location", entry["location"])
        if entry.get("sequence") is not None:
            event.add("sequence", int(entry["sequence"]))
        if spec.get("method") == "REQUEST":
            # An invitation names its organiser and the one person this copy is addressed to.
            event.add("organizer", f"mailto:{spec['organizer']}")
            if attendee:
                event.add("attendee", f"mailto:{attendee}", parameters={"ROLE": "REQ-PARTICIPANT", "RSVP": "FALSE"})
        if entry.get("alarm_days"):
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", entry["summary"])
            alarm.add("trigger", timedelta(days=-int(entry["alarm_days"])))
            event.add_component(alarm)
        calendar.add_component(event)
    if hasattr(calendar, "add_missing_timezones"):
        calendar.add_missing_timezones()
    return calendar.to_ical()
