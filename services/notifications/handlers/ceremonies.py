"""The MoU signing ceremony: its invitation (a calendar request) and the notice that it was signed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from services.notifications import domain
from services.notifications.commands import QueueNotice
from services.notifications.handlers.common import calendar_entry, region_of
from services.notifications.mail import MAIL_DOMAIN, PROGRAMME_NAME
from services.notifications.mail.wording import appointment_phrases, government_phrases, list_phrases, office_phrases
from services.notifications.orm import Delivery
from shared import events
from shared.uow import UnitOfWork

SIGNING_HOURS = 2
INVITATION_KIND = "notice_mou_scheduled"


def _signing_uid(agreement_id: str) -> str:
    return f"mou:agreement:{agreement_id}:signing"


def _last_sequence(uow: UnitOfWork, region_code: str, agreement_id: str) -> int | None:
    """The highest SEQUENCE any invitation to this signing carried, None before the first."""
    uid = f"{_signing_uid(agreement_id)}@{MAIL_DOMAIN}"
    payloads = uow.session.scalars(
        select(Delivery.payload).where(Delivery.kind == INVITATION_KIND, Delivery.region_code == region_code)
    )
    sequences = [
        int(entry["sequence"])
        for payload in payloads
        for entry in (payload.get("calendar") or {}).get("events", [])
        if entry.get("uid") == uid and entry.get("sequence") is not None
    ]
    return max(sequences, default=None)


def _people(values: list[str], region_code: str) -> tuple[str, str]:
    return list_phrases([office_phrases(value, region_code) for value in values])


def _place(online: bool, venue: str | None) -> tuple[str, str, str | None]:
    """Where it happens in both languages, and the meeting link (an online signing's venue is its link)."""
    if online:
        if venue:
            return f"daring, melalui tautan {venue}", f"online, at {venue}", venue
        return "daring (tautan rapat akan kami sampaikan kemudian)", "online (the meeting link will follow)", None
    return venue or "akan kami sampaikan kemudian", venue or "to be announced", None


def mou_scheduled(uow: UnitOfWork, command: QueueNotice) -> dict[str, Any]:
    facts = command.facts
    code, agreement_id = facts["region_code"], facts["agreement_id"]
    name, timezone = region_of(uow, code, facts.get("region_name"), facts["timezone"])
    government_id, government_en = government_phrases(facts.get("region_name") or name, code)
    head_id, head_en = office_phrases("head_of_region", code)
    online = facts["mode"] == "online"
    place_id, place_en, link = _place(online, facts["venue"])
    attendees = list(facts.get("attendees") or [])
    attendees_id, attendees_en = _people(attendees, code)
    # A rescheduled signing must replace the entry already in the calendar: the producer counts its
    # appointments; without that count, each invitation counts one above the last one sent.
    sequence = facts.get("sequence")
    if sequence is None:
        sequence = (_last_sequence(uow, code, agreement_id) or 0) + 1
    summary = f"Penandatanganan Nota Kesepakatan {PROGRAMME_NAME}: {name}"
    entry = calendar_entry(
        _signing_uid(agreement_id),
        summary,
        f"{summary}. Signing of the memorandum of understanding. {place_en}",
        facts["scheduled_at"],
        facts["scheduled_at"] + timedelta(hours=SIGNING_HOURS),
        location=link or place_id,
        url=link,
        sequence=sequence,
    )
    return {
        "region_code": code,
        # The officials the ministry invites besides the usual audience hear of it too.
        "roles": tuple(dict.fromkeys([*domain.NOTICE_AUDIENCE["mou"], *attendees])),
        "kind": INVITATION_KIND,
        "deadline_id": facts["deadline_id"] or events.signing_deadline_id(agreement_id),
        "template": "mou_scheduled.j2",
        "context": {
            "region_name": name,
            "government_id": government_id,
            "government_en": government_en,
            "head_id": head_id,
            "head_en": head_en,
            **appointment_phrases(facts["scheduled_at"], timezone),
            "online": online,
            "link": link,
            "place_id": place_id,
            "place_en": place_en,
            "attendees_id": attendees_id,
            "attendees_en": attendees_en,
            "rescheduled": sequence > 1,
        },
        "calendar": {"method": "REQUEST", "timezone": timezone, "filename": "undangan.ics", "events": [entry]},
    }


def mou_signed(uow: UnitOfWork, command: QueueNotice) -> dict[str, Any]:
    facts = command.facts
    code, agreement_id = facts["region_code"], facts["agreement_id"]
    name, timezone = region_of(uow, code, facts["region_name"], facts["timezone"])
    government_id, government_en = government_phrases(facts["region_name"], code)
    head_id, head_en = office_phrases("head_of_region", code)
    signed_at: datetime = facts["signed_at"]
    attendees_id, attendees_en = _people(list(facts.get("attendees") or []), code)
    summary = f"Nota Kesepakatan {PROGRAMME_NAME} ditandatangani: {name}"
    # The same entry as the invitation, now holding what happened: one above the last invitation's count.
    last = _last_sequence(uow, code, agreement_id)
    entry = calendar_entry(
        _signing_uid(agreement_id),
        summary,
        f"{summary}. Memorandum of understanding signed.",
        signed_at,
        signed_at + timedelta(hours=SIGNING_HOURS),
        sequence=0 if last is None else last + 1,
    )
    return {
        "region_code": code,
        "roles": domain.NOTICE_AUDIENCE["mou"],
        "kind": "notice_mou_signed",
        "template": "mou_signed.j2",
        "context": {
            "region_name": name,
            "government_id": government_id,
            "government_en": government_en,
            "head_id": head_id,
            "head_en": head_en,
            "number": facts["number"],
            "region_number": facts.get("region_number"),
            "ministry_number": facts.get("ministry_number"),
            "cohort_year": facts["cohort_year"],
            **appointment_phrases(signed_at, timezone),
            "signatories_id": _signatory_lines(facts["signatories"], "id"),
            "signatories_en": _signatory_lines(facts["signatories"], "en"),
            "attendees_id": attendees_id,
            "attendees_en": attendees_en,
        },
        "calendar": {"method": "PUBLISH", "timezone": timezone, "filename": "nota-kesepakatan.ics", "events": [entry]},
    }


def _signatory_lines(signatories: list[Mapping[str, Any]], language: str) -> list[str]:
    return [
        domain.signatory_line(s["name"], s["position"], s["acting"], s["on_behalf_of"], language, s.get("title"))
        for s in signatories
    ]
