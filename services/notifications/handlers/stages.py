"""What each stage notice says: its audience, template, context and calendar, built from the event's facts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import distinct, func, select

from services.notifications import domain
from services.notifications.commands import QueueNotice
from services.notifications.handlers.deadlines import UNSEEN_KIND
from services.notifications.mail import MAIL_DOMAIN, local_date_phrases, local_due_phrases
from services.notifications.orm import Deadline, Delivery
from shared import events
from shared.uow import UnitOfWork

DEFAULT_TIMEZONE = "Asia/Jakarta"
SIGNING_HOURS = 2


def _region(uow: UnitOfWork, code: str, name: str | None = None, timezone: str | None = None) -> tuple[str, str]:
    """A region's name and zone: from the event when it carries them, else from the deadlines we know."""
    if name and timezone:
        return name, timezone
    known = uow.session.execute(
        select(Deadline.region_name, Deadline.timezone)
        .where(Deadline.region_code == code, Deadline.kind != UNSEEN_KIND)
        .order_by(Deadline.updated_at.desc())
        .limit(1)
    ).first()
    return (
        name or (known.region_name if known and known.region_name else code),
        timezone or (known.timezone if known else DEFAULT_TIMEZONE),
    )


def _entry(uid: str, summary: str, description: str, start: datetime, end: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "uid": f"{uid}@{MAIL_DOMAIN}",
        "summary": summary,
        "description": description,
        "start": start.isoformat(),
        "end": end.isoformat(),
        **extra,
    }


def _selection(uow: UnitOfWork, command: QueueNotice) -> dict[str, Any]:
    facts = command.facts
    selected = command.event_type == "assessment.region_selected"
    name, timezone = _region(uow, facts["region_code"], facts["region_name"], facts.get("timezone"))
    day_id, day_en = local_date_phrases(command.occurred_at, timezone)
    summary = f"Hasil seleksi Gerakan Menuju Kota Cerdas {facts['cohort_year']}: {name}"
    return {
        "region_code": facts["region_code"],
        "roles": domain.NOTICE_AUDIENCE["selection"],
        "kind": "notice_selected" if selected else "notice_not_selected",
        "template": "selection_result.j2",
        "context": {
            "selected": selected,
            "region_name": name,
            "cohort_year": facts["cohort_year"],
            "rank": facts["rank"],
            "total": f"{facts['total']:.2f}",
            "day_id": day_id,
            "day_en": day_en,
        },
        "calendar": {
            "method": "PUBLISH",
            "timezone": timezone,
            "filename": "seleksi.ics",
            "events": [
                _entry(
                    f"assessment:selection:{facts['cohort_year']}:{facts['region_code']}",
                    summary,
                    f"{summary} / Selection result, Smart City Movement {facts['cohort_year']}",
                    command.occurred_at,
                    command.occurred_at + timedelta(hours=1),
                )
            ],
        },
    }


def _mou_scheduled(uow: UnitOfWork, command: QueueNotice) -> dict[str, Any]:
    facts = command.facts
    name, timezone = _region(uow, facts["region_code"], None, facts["timezone"])
    when_id, when_en = local_due_phrases(facts["scheduled_at"], timezone)
    place_id = facts["venue"] or ("daring (online)" if facts["mode"] == "online" else "akan dikabarkan")
    place_en = facts["venue"] or ("online" if facts["mode"] == "online" else "to be announced")
    summary = f"Penandatanganan Nota Kesepakatan Menuju Kota Cerdas: {name}"
    return {
        "region_code": facts["region_code"],
        "roles": domain.NOTICE_AUDIENCE["mou"],
        "kind": "notice_mou_scheduled",
        "deadline_id": facts["deadline_id"],
        "template": "mou_scheduled.j2",
        "context": {
            "region_name": name,
            "when_id": when_id,
            "when_en": when_en,
            "online": facts["mode"] == "online",
            "place_id": place_id,
            "place_en": place_en,
        },
        "calendar": {
            "method": "REQUEST",
            "timezone": timezone,
            "filename": "undangan.ics",
            "events": [
                _entry(
                    f"mou:agreement:{facts['agreement_id']}:signing",
                    summary,
                    f"{summary} / Signing of the memorandum of understanding",
                    facts["scheduled_at"],
                    facts["scheduled_at"] + timedelta(hours=SIGNING_HOURS),
                    location=place_id,
                    # A rescheduled signing must replace the entry already in the calendar: each
                    # invitation for this agreement counts one higher than the ones before it.
                    sequence=_invitations_sent(uow, facts) + 1,
                )
            ],
        },
    }


def _invitations_sent(uow: UnitOfWork, facts: Mapping[str, Any]) -> int:
    if not facts["deadline_id"]:
        return 0
    return uow.session.scalar(
        select(func.count(distinct(Delivery.dedupe_key))).where(
            Delivery.kind == "notice_mou_scheduled", Delivery.deadline_id == facts["deadline_id"]
        )
    )


def _mou_signed(uow: UnitOfWork, command: QueueNotice) -> dict[str, Any]:
    facts = command.facts
    name, timezone = _region(uow, facts["region_code"], facts["region_name"], facts["timezone"])
    when_id, when_en = local_due_phrases(facts["signed_at"], timezone)
    summary = f"Nota Kesepakatan {facts['number']} ditandatangani: {name}"
    return {
        "region_code": facts["region_code"],
        "roles": domain.NOTICE_AUDIENCE["mou"],
        "kind": "notice_mou_signed",
        "template": "mou_signed.j2",
        "context": {
            "region_name": name,
            "number": facts["number"],
            "cohort_year": facts["cohort_year"],
            "when_id": when_id,
            "when_en": when_en,
            "signatories_id": _signatory_lines(facts["signatories"], "id"),
            "signatories_en": _signatory_lines(facts["signatories"], "en"),
        },
        "calendar": {
            "method": "PUBLISH",
            "timezone": timezone,
            "filename": "nota-kesepakatan.ics",
            "events": [
                _entry(
                    f"mou:agreement:{facts['agreement_id']}:signing",
                    summary,
                    f"{summary} / Memorandum of understanding signed",
                    facts["signed_at"],
                    facts["signed_at"] + timedelta(hours=1),
                    sequence=int(command.occurred_at.timestamp()),
                )
            ],
        },
    }


def _signatory_lines(signatories: list[Mapping[str, Any]], language: str) -> list[str]:
    return [
        domain.signatory_line(s["name"], s["position"], s["acting"], s["on_behalf_of"], language) for s in signatories
    ]


def _programme_started(uow: UnitOfWork, command: QueueNotice) -> dict[str, Any]:
    facts = command.facts
    name, timezone = _region(uow, facts["region_code"], None, facts["timezone"])
    milestones = sorted(facts["milestones"], key=lambda m: m["due_at"])
    rows = []
    entries = [
        _entry(
            f"programme:{facts['programme_id']}",
            f"Pendampingan Menuju Kota Cerdas {facts['cohort_year']} dimulai: {name}",
            "Program pendampingan dimulai / The mentoring programme starts",
            command.occurred_at,
            command.occurred_at + timedelta(hours=1),
        )
    ]
    for milestone in milestones:
        day_id, day_en = local_date_phrases(milestone["due_at"], timezone)
        rows.append({"title": milestone["title"], "day_id": day_id, "day_en": day_en})
        end = milestone["due_at"].replace(microsecond=0, second=0)
        # The milestone's deadline id is the entry's UID, so this calendar and the milestone's later
        # reminders update one calendar entry, not two.
        entries.append(
            _entry(
                events.milestone_deadline_id(milestone["milestone_id"]),
                f"Tenggat: {milestone['title']}",
                f"Batas waktu / deadline: {milestone['title']}",
                end - timedelta(hours=1),
                end,
                alarm_days=1,
            )
        )
    return {
        "region_code": facts["region_code"],
        "roles": domain.NOTICE_AUDIENCE["programme"],
        "kind": "notice_programme_started",
        "template": "programme_started.j2",
        "context": {"region_name": name, "cohort_year": facts["cohort_year"], "milestones": rows},
        "calendar": {
            "method": "PUBLISH",
            "timezone": timezone,
            "filename": "jadwal-pendampingan.ics",
            "events": entries,
        },
    }


def _deliverable_reviewed(uow: UnitOfWork, command: QueueNotice) -> dict[str, Any]:
    facts = command.facts
    deadline = uow.session.get(Deadline, events.milestone_deadline_id(facts["milestone_id"]))
    if deadline is not None and deadline.kind == UNSEEN_KIND:
        deadline = None  # only its clearing is known: no title or date to tell
    name, _timezone = _region(uow, facts["region_code"])
    accepted = facts["decision"] == "accepted"
    context: dict[str, Any] = {
        "region_name": name,
        "accepted": accepted,
        "title": deadline.title if deadline else None,
        "comments": facts["comments"],
        "due_local_id": None,
        "due_local_en": None,
    }
    if deadline is not None and not accepted:
        context["due_local_id"], context["due_local_en"] = local_due_phrases(deadline.due_at, deadline.timezone)
    roles = list(domain.NOTICE_AUDIENCE["review"])
    if deadline is not None:
        roles += [role for role in deadline.audience if role not in roles]
    return {
        "region_code": facts["region_code"],
        "roles": roles,
        "kind": "notice_deliverable_accepted" if accepted else "notice_revision_requested",
        "template": "deliverable_reviewed.j2",
        "context": context,
        # A revision keeps the milestone's deadline in the calendar; an accepted one needs no entry.
        "calendar": True if deadline is not None and not accepted else None,
        "deadline_id": deadline.id if deadline is not None else None,
    }


BUILDERS: dict[str, Callable[[UnitOfWork, QueueNotice], dict[str, Any]]] = {
    "assessment.region_selected": _selection,
    "assessment.region_not_selected": _selection,
    "mou.scheduled": _mou_scheduled,
    "mou.signed": _mou_signed,
    "mentoring.programme_started": _programme_started,
    "mentoring.deliverable_reviewed": _deliverable_reviewed,
}
