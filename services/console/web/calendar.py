"""Each region's calendar feed (.ics) of its deadlines and ceremonies, which Outlook and Google Calendar poll."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy.exc import IntegrityError

from services.console import commands, handlers, views
from services.console.domain import Account, FeedEvent, content_hash, feed_uid
from services.console.domain.programme import instant
from services.console.web.security import account, audit, backend, check_region, needs, runtime

bp = Blueprint("calendar", __name__)
CEREMONY_HOURS = 2


@bp.post("/regions/<code>/feed")
@needs("manage_feed")
def issue(code: str) -> Response:
    check_region(code)
    with runtime().uow() as uow:
        handlers.issue_feed_token(uow, commands.IssueFeedToken(code, account().sub))
        uow.commit()
    audit(region_code=code)
    flash(_("Alamat kalender baru dibuat. Alamat sebelumnya tidak berlaku lagi."), "success")
    return redirect(url_for("regions.region", code=code, _anchor="kalender"), 303)


@bp.post("/regions/<code>/feed/revoke")
@needs("manage_feed")
def revoke(code: str) -> Response:
    check_region(code)
    with runtime().uow() as uow:
        handlers.revoke_feed_token(uow, commands.RevokeFeedToken(code, account().sub))
        uow.commit()
    audit(region_code=code)
    flash(_("Alamat kalender dicabut."), "success")
    return redirect(url_for("regions.region", code=code, _anchor="kalender"), 303)


def _agreement_events(agreement: dict[str, Any]) -> list[FeedEvent]:
    ended = agreement["status"] in ("terminated", "expired")
    events = []
    if agreement["status"] in ("draft", "scheduled") or agreement["status"] == "terminated":
        sign_by = date.fromisoformat(agreement["sign_by"])
        events.append(
            FeedEvent(
                feed_uid("mou-signing", agreement["id"]),
                f"Batas penandatanganan Nota Kesepakatan {agreement['number']}",
                sign_by,
                sign_by + timedelta(days=1),
                description=f"{agreement['region_name']}: Nota Kesepakatan {agreement['number']} ditandatangani paling "
                "lambat tanggal ini.",
                cancelled=ended,
            )
        )
    scheduled = instant(agreement.get("scheduled_at"))
    if scheduled is not None:
        events.append(
            FeedEvent(
                feed_uid("mou-ceremony", agreement["id"]),
                f"Seremoni penandatanganan Nota Kesepakatan {agreement['number']}",
                scheduled,
                scheduled + timedelta(hours=CEREMONY_HOURS),
                description=f"Penandatanganan Nota Kesepakatan {agreement['number']} ({agreement['mode'] or '-'}).",
                location=agreement.get("venue"),
                cancelled=ended and agreement.get("signed_at") is None,
            )
        )
    return events


def _programme_events(programme: dict[str, Any]) -> list[FeedEvent]:
    events = []
    for stage in programme["stages"]:
        if stage.get("session_start"):
            start = date.fromisoformat(stage["session_start"])
            end = date.fromisoformat(stage.get("session_end") or stage["session_start"])
            events.append(FeedEvent(feed_uid("session", stage["id"]), stage["title"], start, end + timedelta(days=1)))
        for milestone in stage["milestones"]:
            due = date.fromisoformat(milestone["due_date"])
            # A met deadline stays in the calendar as a record, renamed, rather than vanishing.
            prefix = "Selesai" if milestone["status"] == "accepted" else "Batas"
            region = programme["region_name"]
            events.append(
                FeedEvent(
                    feed_uid("milestone", milestone["id"]),
                    f"{prefix}: {milestone['title']}",
                    due,
                    due + timedelta(days=1),
                    description=f"{region}: {milestone['title']} diserahkan paling lambat tanggal ini.",
                )
            )
    return events


def _ical(region: dict[str, Any], events: list[FeedEvent], sequences: dict[str, int]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Cerdas//Konsol Menuju Kota Cerdas//ID")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Cerdas: {region['name']}")
    calendar.add("x-wr-timezone", region["timezone"])
    # Polling hints: Outlook reads X-PUBLISHED-TTL, RFC 7986 clients REFRESH-INTERVAL.
    calendar.add("x-published-ttl", "PT1H")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    stamp = runtime().clock.now()
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("summary", item.summary)
        event.add("dtstart", item.start)
        event.add("dtend", item.end)
        event.add("dtstamp", stamp)
        event.add("sequence", sequences[item.uid])
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        if item.description:
            event.add("description", item.description)
        if item.location:
            event.add("location", item.location)
        calendar.add_component(event)
    return calendar.to_ical()


@bp.get("/calendar/<token>.ics")
def feed(token: str) -> Response:
    with runtime().uow() as uow:
        code = views.feed_region(uow, token[:64])
    if code is None:
        abort(404)
    # The feed reads as the region itself, so it shows exactly what the region's own users may see.
    api = backend(Account(sub=f"calendar-feed:{code}", role="region", region=code))
    region = api.get("assessment", f"/regions/{code}")
    events: list[FeedEvent] = []
    for agreement in api.get("mou", "/agreements", region=code).get("items", []):
        events.extend(_agreement_events(agreement))
    for programme in api.get("mentoring", "/programmes", region=code).get("items", []):
        events.extend(_programme_events(programme))
    entries = tuple((event.uid, content_hash(event), event.summary) for event in events)
    command = commands.RecordFeedEntries(code, entries)
    for attempt in (1, 2):  # two polls at once may both add a new uid; the second try finds it
        try:
            with runtime().uow() as uow:
                sequences = handlers.record_feed_entries(uow, command)
                uow.commit()
            break
        except IntegrityError:
            if attempt == 2:
                raise
    body = _ical(region, events, sequences)
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f'inline; filename="cerdas-{code}.ics"',
            "Cache-Control": "private, max-age=300",
        },
    )
