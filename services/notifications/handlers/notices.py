"""Stage notices: selection result, MoU scheduled and signed, programme started, deliverable reviewed."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

from sqlalchemy import distinct, func, select

from services.notifications import domain
from services.notifications.handlers.delivery import add_delivery, recipients
from services.notifications.handlers.notifier import Notifier
from services.notifications.handlers.reminders import UNSEEN_KIND
from services.notifications.mailer import MAIL_DOMAIN, local_date_phrases, local_due_phrases
from services.notifications.orm import Deadline, Delivery
from shared import events
from shared.logging import get_logger
from shared.uow import UnitOfWork

log = get_logger(__name__)
DEFAULT_TIMEZONE = "Asia/Jakarta"
# Mentoring publishes each milestone's deadline under this id; the programme calendar reuses it as the
# entry's UID so the invitation and later reminders update one calendar entry, not two.
MILESTONE_DEADLINE = "mentoring:milestone:{}"
SIGNING_HOURS = 2

NOTICE_EVENTS = (
    "assessment.region_selected",
    "assessment.region_not_selected",
    "mou.scheduled",
    "mou.signed",
    "mentoring.programme_started",
    "mentoring.deliverable_reviewed",
)


def on_stage_event(uow: UnitOfWork, notifier: Notifier, envelope: events.Envelope, data: events.EventData) -> int:
    """Queue the notice an event calls for, one delivery per official; returns how many."""
    notice = _BUILDERS[envelope.type](uow, envelope, data)
    if notice is None:
        return 0
    officials = notifier.directory.officials(uow.session, notice["region_code"])
    chosen = recipients(officials, notice["roles"])
    if not chosen:
        log.warning("no official to notify", event_type=envelope.type, region_code=notice["region_code"])
        return 0
    calendar = notice.get("calendar")
    if isinstance(calendar, dict) and calendar.get("method") == "REQUEST":
        calendar = {**calendar, "organizer": _address(notifier.settings.notifications.mail_from)}
    for official in chosen:
        add_delivery(
            uow,
            dedupe_key=f"{envelope.type}:{envelope.id}",
            official=official,
            region_code=notice["region_code"],
            kind=notice["kind"],
            template=notice["template"],
            context=notice["context"],
            calendar=calendar,
            correlation_id=envelope.correlation_id,
            deadline_id=notice.get("deadline_id"),
        )
    return len(chosen)


def _address(mail_from: str) -> str:
    return parseaddr(mail_from)[1] or mail_from


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


def _selection(uow: UnitOfWork, envelope: events.Envelope, data: Any) -> dict[str, Any]:
    selected = envelope.type == "assessment.region_selected"
    name, timezone = _region(uow, data.region_code, data.region_name, getattr(data, "timezone", None))
    day_id, day_en = local_date_phrases(envelope.occurred_at, timezone)
    summary = f"Hasil seleksi Gerakan Menuju Kota Cerdas {data.cohort_year}: {name}"
    return {
        "region_code": data.region_code,
        "roles": domain.NOTICE_AUDIENCE["selection"],
        "kind": "notice_selected" if selected else "notice_not_selected",
        "template": "selection_result.j2",
        "context": {
            "selected": selected,
            "region_name": name,
            "cohort_year": data.cohort_year,
            "rank": data.rank,
            "total": f"{data.total:.2f}",
            "day_id": day_id,
            "day_en": day_en,
        },
        "calendar": {
            "method": "PUBLISH",
            "timezone": timezone,
            "filename": "seleksi.ics",
            "events": [
                _entry(
                    f"assessment:selection:{data.cohort_year}:{data.region_code}",
                    summary,
                    f"{summary} / Selection result, Smart City Movement {data.cohort_year}",
                    envelope.occurred_at,
                    envelope.occurred_at + timedelta(hours=1),
                )
            ],
        },
    }


def _mou_scheduled(uow: UnitOfWork, envelope: events.Envelope, data: Any) -> dict[str, Any]:
    name, timezone = _region(uow, data.region_code, None, data.timezone)
    when_id, when_en = local_due_phrases(data.scheduled_at, timezone)
    place_id = data.venue or ("daring (online)" if data.mode == "online" else "akan dikabarkan")
    place_en = data.venue or ("online" if data.mode == "online" else "to be announced")
    summary = f"Penandatanganan Nota Kesepakatan Menuju Kota Cerdas: {name}"
    return {
        "region_code": data.region_code,
        "roles": domain.NOTICE_AUDIENCE["mou"],
        "kind": "notice_mou_scheduled",
        "deadline_id": data.deadline_id,
        "template": "mou_scheduled.j2",
        "context": {
            "region_name": name,
            "when_id": when_id,
            "when_en": when_en,
            "online": data.mode == "online",
            "place_id": place_id,
            "place_en": place_en,
        },
        "calendar": {
            "method": "REQUEST",
            "timezone": timezone,
            "filename": "undangan.ics",
            "events": [
                _entry(
                    f"mou:agreement:{data.agreement_id}:signing",
                    summary,
                    f"{summary} / Signing of the memorandum of understanding",
                    data.scheduled_at,
                    data.scheduled_at + timedelta(hours=SIGNING_HOURS),
                    location=place_id,
                    # A rescheduled signing must replace the entry already in the calendar: each
                    # invitation for this agreement counts one higher than the ones before it.
                    sequence=_invitations_sent(uow, data) + 1,
                )
            ],
        },
    }


def _invitations_sent(uow: UnitOfWork, data: Any) -> int:
    if not data.deadline_id:
        return 0
    return uow.session.scalar(
        select(func.count(distinct(Delivery.dedupe_key))).where(
            Delivery.kind == "notice_mou_scheduled", Delivery.deadline_id == data.deadline_id
        )
    )


def _mou_signed(uow: UnitOfWork, envelope: events.Envelope, data: Any) -> dict[str, Any]:
    name, timezone = _region(uow, data.region_code, data.region_name, data.timezone)
    when_id, when_en = local_due_phrases(data.signed_at, timezone)
    summary = f"Nota Kesepakatan {data.number} ditandatangani: {name}"
    return {
        "region_code": data.region_code,
        "roles": domain.NOTICE_AUDIENCE["mou"],
        "kind": "notice_mou_signed",
        "template": "mou_signed.j2",
        "context": {
            "region_name": name,
            "number": data.number,
            "cohort_year": data.cohort_year,
            "when_id": when_id,
            "when_en": when_en,
            "signatories_id": [
                domain.signatory_line(s.name, s.position, s.acting, s.on_behalf_of, "id") for s in data.signatories
            ],
            "signatories_en": [
                domain.signatory_line(s.name, s.position, s.acting, s.on_behalf_of, "en") for s in data.signatories
            ],
        },
        "calendar": {
            "method": "PUBLISH",
            "timezone": timezone,
            "filename": "nota-kesepakatan.ics",
            "events": [
                _entry(
                    f"mou:agreement:{data.agreement_id}:signing",
                    summary,
                    f"{summary} / Memorandum of understanding signed",
                    data.signed_at,
                    data.signed_at + timedelta(hours=1),
                    sequence=int(envelope.occurred_at.timestamp()),
                )
            ],
        },
    }


def _programme_started(uow: UnitOfWork, envelope: events.Envelope, data: Any) -> dict[str, Any]:
    name, timezone = _region(uow, data.region_code, None, data.timezone)
    milestones = sorted(data.milestones, key=lambda m: m.due_at)
    rows = []
    entries = [
        _entry(
            f"programme:{data.programme_id}",
            f"Pendampingan Menuju Kota Cerdas {data.cohort_year} dimulai: {name}",
            "Program pendampingan dimulai / The mentoring programme starts",
            envelope.occurred_at,
            envelope.occurred_at + timedelta(hours=1),
        )
    ]
    for milestone in milestones:
        day_id, day_en = local_date_phrases(milestone.due_at, timezone)
        rows.append({"title": milestone.title, "day_id": day_id, "day_en": day_en})
        end = milestone.due_at.replace(microsecond=0, second=0)
        entries.append(
            _entry(
                MILESTONE_DEADLINE.format(milestone.milestone_id),
                f"Tenggat: {milestone.title}",
                f"Batas waktu / deadline: {milestone.title}",
                end - timedelta(hours=1),
                end,
                alarm_days=1,
            )
        )
    return {
        "region_code": data.region_code,
        "roles": domain.NOTICE_AUDIENCE["programme"],
        "kind": "notice_programme_started",
        "template": "programme_started.j2",
        "context": {"region_name": name, "cohort_year": data.cohort_year, "milestones": rows},
        "calendar": {
            "method": "PUBLISH",
            "timezone": timezone,
            "filename": "jadwal-pendampingan.ics",
            "events": entries,
        },
    }


def _deliverable_reviewed(uow: UnitOfWork, envelope: events.Envelope, data: Any) -> dict[str, Any]:
    deadline = uow.session.get(Deadline, MILESTONE_DEADLINE.format(data.milestone_id))
    if deadline is not None and deadline.kind == UNSEEN_KIND:
        deadline = None  # only its clearing is known: no title or date to tell
    name, _timezone = _region(uow, data.region_code)
    accepted = data.decision == "accepted"
    context: dict[str, Any] = {
        "region_name": name,
        "accepted": accepted,
        "title": deadline.title if deadline else None,
        "comments": data.comments,
        "due_local_id": None,
        "due_local_en": None,
    }
    if deadline is not None and not accepted:
        context["due_local_id"], context["due_local_en"] = local_due_phrases(deadline.due_at, deadline.timezone)
    roles = list(domain.NOTICE_AUDIENCE["review"])
    if deadline is not None:
        roles += [role for role in deadline.audience if role not in roles]
    return {
        "region_code": data.region_code,
        "roles": roles,
        "kind": "notice_deliverable_accepted" if accepted else "notice_revision_requested",
        "template": "deliverable_reviewed.j2",
        "context": context,
        # A revision keeps the milestone's deadline in the calendar; an accepted one needs no entry.
        "calendar": True if deadline is not None and not accepted else None,
        "deadline_id": deadline.id if deadline is not None else None,
    }


_BUILDERS = {
    "assessment.region_selected": _selection,
    "assessment.region_not_selected": _selection,
    "mou.scheduled": _mou_scheduled,
    "mou.signed": _mou_signed,
    "mentoring.programme_started": _programme_started,
    "mentoring.deliverable_reviewed": _deliverable_reviewed,
}
