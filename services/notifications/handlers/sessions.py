"""Bimtek sessions (bimbingan teknis I-IV): the invitation, with the session's local days in the calendar.

The invitation is a notice; the reminder the day before comes from the session's own deadline.set
(reminders "day_before"), so the two never repeat each other.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from services.notifications.commands import QueueNotice
from services.notifications.handlers.common import region_of
from services.notifications.mail import MAIL_DOMAIN, PROGRAMME_NAME
from services.notifications.mail.wording import date_range_phrases
from shared import events
from shared.uow import UnitOfWork


def session_scheduled(uow: UnitOfWork, command: QueueNotice) -> dict[str, Any]:
    facts = command.facts
    code = facts["region_code"]
    name, timezone = region_of(uow, code, facts.get("region_name"), facts["timezone"])
    first, last = _day(facts["starts_on"]), _day(facts["ends_on"])
    dates_id, dates_en = date_range_phrases(first, last)
    venue = facts.get("venue")
    link = venue if venue and venue.startswith(("https://", "http://")) else None
    if link:
        place_id, place_en = f"daring, melalui tautan {link}", f"online, at {link}"
    else:
        place_id, place_en = venue or "akan kami sampaikan kemudian", venue or "to be announced"
    deadline_id = events.session_deadline_id(facts["session_id"])
    summary = f"{facts['title']}: {name}"
    # The session's days as all-day entries in one event; its UID is the session's deadline id, and its
    # SEQUENCE the producer's count of changes, so a moved session replaces the entry it had.
    entry = {
        "uid": f"{deadline_id}@{MAIL_DOMAIN}",
        "summary": summary,
        "description": f"{summary}. {PROGRAMME_NAME}. {dates_id}. {place_id}",
        "all_day": True,
        "start": first.isoformat(),
        "end": (last + timedelta(days=1)).isoformat(),
        "location": link or venue,
        "url": link,
        "sequence": int(facts.get("sequence") or 0),
    }
    return {
        "region_code": code,
        "roles": tuple(facts["audience"]),
        "kind": "notice_session_scheduled",
        "deadline_id": deadline_id,
        "template": "session_scheduled.j2",
        "context": {
            "region_name": name,
            "title": facts["title"],
            "dates_id": dates_id,
            "dates_en": dates_en,
            "link": link,
            "place_id": place_id,
            "place_en": place_en,
            "rescheduled": int(facts.get("sequence") or 0) > 0,
        },
        "calendar": {"method": "REQUEST", "timezone": timezone, "filename": "undangan-bimtek.ics", "events": [entry]},
    }


def _day(value: date | str) -> date:
    # Facts are the event's data as Python values; a date that came through JSON is parsed back.
    return value if isinstance(value, date) else date.fromisoformat(value)
