"""The calendar written line by line reads back, through icalendar, as what icalendar's own component tree
wrote for the same entries: events, times in the region's zone, alarms, invitations and any text."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.notifications.mail import PROGRAMME_NAME, calendar_bytes
from services.notifications.mail.calendar import deadline_entry
from tests.unit.test_notifications_letter import CALENDAR, SENT_AT, text


def reference_calendar(spec: dict, stamp: datetime, attendee: str | None = None) -> bytes:
    """The calendar as icalendar's component tree wrote it before."""
    zone = ZoneInfo(spec["timezone"])
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//Cerdas//{PROGRAMME_NAME}//ID")
    calendar.add("version", "2.0")
    calendar.add("method", spec.get("method", "PUBLISH"))
    for entry in spec["events"]:
        event = icalendar.Event()
        event.add("uid", entry["uid"])
        event.add("dtstamp", stamp)
        for key in ("start", "end"):
            if entry.get("all_day"):
                event.add(f"dt{key}", date.fromisoformat(entry[key]))
            else:
                event.add(f"dt{key}", datetime.fromisoformat(entry[key]).astimezone(zone).replace(second=0))
        event.add("summary", entry["summary"])
        event.add("description", entry["description"])
        for key in ("location", "url"):
            if entry.get(key):
                event.add(key, entry[key])
        if entry.get("transparent"):
            event.add("transp", "TRANSPARENT")
        if entry.get("sequence") is not None:
            event.add("sequence", int(entry["sequence"]))
        if spec.get("method") == "REQUEST":
            event.add("organizer", f"mailto:{spec['organizer']}")
            if attendee:
                event.add("attendee", f"mailto:{attendee}", parameters={"ROLE": "REQ-PARTICIPANT", "RSVP": "FALSE"})
        minutes = entry.get("alarm_minutes") or 24 * 60 * int(entry.get("alarm_days") or 0)
        if minutes:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", entry["summary"])
            alarm.add("trigger", timedelta(minutes=-int(minutes)))
            event.add_component(alarm)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def components(ics: bytes) -> list[tuple[str, dict]]:
    """Every component with its properties as values (the order of lines in a component does not count)."""
    out = []
    for component in icalendar.Calendar.from_ical(ics).walk():
        props = {}
        for key, value in component.property_items(recursive=False):
            if key in ("BEGIN", "END"):
                continue
            decoded = component.decoded(key) if key not in ("ATTENDEE", "ORGANIZER", "URL") else str(value)
            params = dict(getattr(value, "params", {}) or {})
            props[key] = (decoded, {k: v for k, v in params.items() if k != "VALUE"})
        out.append((component.name, props))
    return out


def invitation(**event) -> dict:
    return {
        "method": "REQUEST",
        "timezone": "Asia/Jayapura",
        "organizer": "noreply@cerdas.example",
        "events": [
            {
                "uid": "session-1@cerdas.example",
                "summary": "Bimbingan Teknis I; sesi 1, ruang \\ utama",
                "description": "Baris satu\nBaris dua " + "panjang é " * 20,
                "start": "2023-03-01T02:00:00+00:00",
                "end": "2023-03-01T04:30:00+00:00",
                "location": "Aula Kantor Bupati, Pandan",
                "url": "https://zoom.example/j/bimtek1",
                "sequence": 2,
                "alarm_days": 1,
                **event,
            }
        ],
    }


@pytest.mark.parametrize(
    "spec",
    [
        invitation(),
        invitation(alarm_minutes=90, transparent=True),
        {**invitation(all_day=True, start="2023-03-01", end="2023-03-03"), "method": "PUBLISH"},
        {**invitation(), "timezone": "Asia/Makassar", "method": "CANCEL"},
        {**invitation(), "timezone": "UTC"},
    ],
)
def test_a_calendar_reads_back_as_icalendar_wrote_it(spec):
    written = calendar_bytes(spec, SENT_AT, attendee="kominfo@tapteng.example")
    assert components(written) == components(reference_calendar(spec, SENT_AT, attendee="kominfo@tapteng.example"))
    for line in written.split(b"\r\n"):
        line.decode("utf-8")  # folded, and never inside a character
        assert len(line) <= 75, line


def test_a_deadline_calendar_reads_back_as_icalendar_wrote_it():
    entry = deadline_entry("dl-1", "Penilaian mandiri", "Kabupaten Tapanuli Tengah", SENT_AT, "Asia/Jakarta", 3)
    spec = {"method": "PUBLISH", "timezone": "Asia/Jakarta", "events": [entry]}
    assert components(CALENDAR) == components(reference_calendar(spec, SENT_AT))
    assert b"VTIMEZONE" not in CALENDAR, "an all-day entry names no zone"


@settings(max_examples=100, deadline=None)
@given(summary=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=200), description=text)
def test_any_text_in_a_calendar_reads_back_as_written(summary, description):
    spec = invitation(summary=summary, description=description)
    [event] = icalendar.Calendar.from_ical(calendar_bytes(spec, SENT_AT)).walk("VEVENT")
    assert str(event["SUMMARY"]) == summary
    assert str(event["DESCRIPTION"]) == re.sub(r"\r\n?", "\n", description)
