"""Calendar attachments (RFC 5545): a deadline's all-day entry, or the events a stage notice carries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
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

    Written line by line rather than through icalendar's component tree, which cost more than the rest
    of the email together; icalendar still supplies each zone's VTIMEZONE, once per zone.
    """
    zone = ZoneInfo(spec["timezone"])
    method = spec.get("method", "PUBLISH")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{_text(f'-//Cerdas//{PROGRAMME_NAME}//ID')}"]
    lines.append(f"METHOD:{_text(method)}")
    events: list[str] = []
    for entry in spec["events"]:
        events += ["BEGIN:VEVENT", f"UID:{_text(entry['uid'])}", f"DTSTAMP:{_utc(stamp)}"]
        for name in ("start", "end"):
            if entry.get("all_day"):
                events.append(f"DT{name.upper()};VALUE=DATE:{date.fromisoformat(entry[name]):%Y%m%d}")
            else:
                instant = datetime.fromisoformat(entry[name]).astimezone(zone)
                events.append(f"DT{name.upper()}{_local(instant, spec['timezone'])}")
        events += [f"SUMMARY:{_text(entry['summary'])}", f"DESCRIPTION:{_text(entry['description'])}"]
        if entry.get("location"):
            events.append(f"LOCATION:{_text(entry['location'])}")
        if entry.get("url"):
            events.append(f"URL:{_uri(entry['url'])}")
        if entry.get("transparent"):
            events.append("TRANSP:TRANSPARENT")
        if entry.get("sequence") is not None:
            events.append(f"SEQUENCE:{int(entry['sequence'])}")
        if method == "REQUEST":
            # An invitation names its organiser and the one person this copy is addressed to.
            events.append(f"ORGANIZER:mailto:{_uri(spec['organizer'])}")
            if attendee:
                events.append(f"ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:{_uri(attendee)}")
        # Deliveries queued before entries counted their alarm in minutes still name it in days.
        minutes = entry.get("alarm_minutes") or 24 * 60 * int(entry.get("alarm_days") or 0)
        if minutes:
            events += ["BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{_text(entry['summary'])}"]
            events += [f"TRIGGER:{_before(int(minutes))}", "END:VALARM"]
        events.append("END:VEVENT")
    timed = not all(entry.get("all_day") for entry in spec["events"])
    zone_block = _vtimezone(spec["timezone"]) if timed and spec["timezone"] not in UTC_NAMES else b""
    tail = [*events, "END:VCALENDAR"]
    return b"".join(map(_folded, lines)) + zone_block + b"".join(map(_folded, tail))


UTC_NAMES = frozenset({"UTC", "Etc/UTC"})
LINE_OCTETS = 75  # RFC 5545 3.1, without the line break


def _text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, line breaks as \\n."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def _uri(value: str) -> str:
    return "".join(value.split())  # a URI or address has no whitespace; a stray line break would end the line


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _local(instant: datetime, zone_name: str) -> str:
    minute = instant.replace(second=0, microsecond=0)
    if zone_name in UTC_NAMES:
        return f":{minute:%Y%m%dT%H%M%S}Z"
    return f";TZID={zone_name}:{minute:%Y%m%dT%H%M%S}"


def _before(minutes: int) -> str:
    """The alarm's trigger, ``minutes`` before the start (RFC 5545 3.3.6): -P1D, -PT16H, -P1DT2H30M."""
    days, rest = divmod(abs(minutes), 24 * 60)
    hours, mins = divmod(rest, 60)
    clock = (f"{hours}H" if hours else "") + (f"{mins}M" if mins else "")
    return ("-" if minutes > 0 else "") + "P" + (f"{days}D" if days else "") + (f"T{clock}" if clock else "")


def _folded(line: str) -> bytes:
    """One content line, folded every 75 octets and never inside a UTF-8 sequence."""
    data = line.encode()
    if len(data) <= LINE_OCTETS:
        return data + b"\r\n"
    pieces, start, room = [], 0, LINE_OCTETS
    while start < len(data):
        end = min(start + room, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:
            end -= 1
        pieces.append(data[start:end])
        start, room = end, LINE_OCTETS - 1  # a continuation line starts with a space
    return b"\r\n ".join(pieces) + b"\r\n"


@lru_cache(maxsize=32)
def _vtimezone(zone_name: str) -> bytes:
    """The zone's VTIMEZONE as icalendar derives it from the tz database; the same for every email."""
    from_tzid = getattr(icalendar.Timezone, "from_tzid", None)
    if from_tzid is None:  # an icalendar too old to derive zones: calendars fall back on the TZID alone
        return b""
    try:
        return from_tzid(zone_name).to_ical()
    except ValueError:
        return b""
