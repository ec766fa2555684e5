"""Calendar attachments (RFC 5545): a deadline's all-day entry, or the events a stage notice carries."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from services.notifications.mail.compose import MAIL_DOMAIN
from services.notifications.mail.wording import PROGRAMME_NAME, local_due_phrases
from shared.clock import local_date

# An all-day entry starts at local midnight: 16 hours before it is 08.00 on the day before.
MORNING_BEFORE_MINUTES = 16 * 60


def deadline_entry(
    deadline_id: str, title: str, region_name: str, due_at: datetime, timezone: str, sequence: int
) -> dict[str, Any]:
    """A deadline as an all-day entry on its local due date, shown free rather than busy: a due date is
    not an appointment. Its UID is the deadline id, so every reminder and notice updates one entry, and
    ``sequence`` (the deadline's version) tells calendars which copy is newest."""
    day = local_date(due_at, timezone)
    due_id, due_en = local_due_phrases(due_at, timezone)
    return {
        "uid": f"{deadline_id}@{MAIL_DOMAIN}",
        "summary": f"Batas waktu: {title} ({region_name})",
        "description": f"{PROGRAMME_NAME}. Batas waktu {title} untuk {region_name}: {due_id}. "
        f"Deadline for {title} ({region_name}): {due_en}.",
        "all_day": True,
        "start": day.isoformat(),
        "end": (day + timedelta(days=1)).isoformat(),
        "transparent": True,
        "sequence": sequence,
        "alarm_minutes": MORNING_BEFORE_MINUTES,
    }


def deadline_calendar(entry: dict[str, Any], timezone: str, stamp: datetime) -> bytes:
    return calendar_bytes({"method": "PUBLISH", "timezone": timezone, "events": [entry]}, stamp)


def calendar_bytes(spec: dict[str, Any], stamp: datetime, attendee: str | None = None) -> bytes:
    """Any calendar a notice carries, from the JSON spec stored with its delivery (RFC 5545).

    ``spec``: method (PUBLISH, or REQUEST for an invitation), timezone, organizer (for REQUEST) and
    events, each with uid, summary, description, start and end (ISO instants, or ISO dates with
    ``all_day``: the end is the day after the last), optional location, url, sequence, transparent and
    alarm_minutes. Times are written to the minute in the region's own zone with its VTIMEZONE.
    """
    zone = ZoneInfo(spec["timezone"])
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//Cerdas//{PROGRAMME_NAME}//ID")
    calendar.add("version", "2.0")
    calendar.add("method", spec.get("method", "PUBLISH"))
    for entry in spec["events"]:
        event = icalendar.Event()
        event.add("uid", entry["uid"])
        event.add("dtstamp", stamp)
        for name in ("start", "end"):
            if entry.get("all_day"):
                event.add(f"dt{name}", date.fromisoformat(entry[name]))
            else:
                instant = datetime.fromisoformat(entry[name]).astimezone(zone)
                event.add(f"dt{name}", instant.replace(second=0, microsecond=0))
        event.add("summary", entry["summary"])
        event.add("description", entry["description"])
        if entry.get("location"):
            event.add("location", entry["location"])
        if entry.get("url"):
            event.add("url", entry["url"])
        if entry.get("transparent"):
            event.add("transp", "TRANSPARENT")
        if entry.get("sequence") is not None:
            event.add("sequence", int(entry["sequence"]))
        if spec.get("method") == "REQUEST":
            # An invitation names its organiser and the one person this copy is addressed to.
            event.add("organizer", f"mailto:{spec['organizer']}")
            if attendee:
                event.add("attendee", f"mailto:{attendee}", parameters={"ROLE": "REQ-PARTICIPANT", "RSVP": "FALSE"})
        # Deliveries queued before entries counted their alarm in minutes still name it in days.
        minutes = entry.get("alarm_minutes") or 24 * 60 * int(entry.get("alarm_days") or 0)
        if minutes:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", entry["summary"])
            alarm.add("trigger", timedelta(minutes=-int(minutes)))
            event.add_component(alarm)
        calendar.add_component(event)
    if hasattr(calendar, "add_missing_timezones"):
        calendar.add_missing_timezones()
    return calendar.to_ical()
