"""What each stage notice says: its audience, template, context and calendar, built from the event's facts.

The selection result, the start of the mentoring programme and a deliverable's review are here; the MoU
ceremony in ``ceremonies``, the bimtek sessions in ``sessions``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.notifications import domain
from services.notifications.commands import QueueNotice
from services.notifications.handlers.ceremonies import mou_scheduled, mou_signed
from services.notifications.handlers.common import region_of
from services.notifications.handlers.deadlines import UNSEEN_KIND
from services.notifications.handlers.sessions import session_scheduled
from services.notifications.mail import deadline_entry, local_date_phrases, local_due_phrases
from services.notifications.mail.wording import decimal_phrases, government_phrases, regulation_phrases
from services.notifications.orm import Deadline
from shared import events
from shared.uow import UnitOfWork


def _selection(uow: UnitOfWork, command: QueueNotice) -> dict[str, Any]:
    facts = command.facts
    selected = command.event_type == "assessment.region_selected"
    name, timezone = region_of(uow, facts["region_code"], facts["region_name"], facts.get("timezone"))
    day_id, day_en = local_date_phrases(command.occurred_at, timezone)
    total_id, total_en = decimal_phrases(facts["total"])
    government_id, government_en = government_phrases(facts["region_name"], facts["region_code"])
    return {
        "region_code": facts["region_code"],
        "roles": domain.NOTICE_AUDIENCE["selection"],
        "kind": "notice_selected" if selected else "notice_not_selected",
        "template": "selection_result.j2",
        "context": {
            "selected": selected,
            "region_name": name,
            "government_id": government_id,
            "government_en": government_en,
            "cohort_year": facts["cohort_year"],
            "rank": facts["rank"],
            "total_id": total_id,
            "total_en": total_en,
            "day_id": day_id,
            "day_en": day_en,
        },
        # A decision is not an appointment: nothing to put in a calendar.
        "calendar": None,
    }


def _programme_started(uow: UnitOfWork, command: QueueNotice) -> dict[str, Any]:
    facts = command.facts
    name, timezone = region_of(uow, facts["region_code"], None, facts["timezone"])
    rows, entries = [], []
    for milestone in sorted(facts["milestones"], key=lambda m: m["due_at"]):
        day_id, day_en = local_date_phrases(milestone["due_at"], timezone)
        rows.append({"title": milestone["title"], "day_id": day_id, "day_en": day_en})
        deadline_id = events.milestone_deadline_id(milestone["milestone_id"])
        # The milestone's deadline id is the entry's UID, so this calendar and the milestone's later
        # reminders update one entry; its version, when already known, keeps the entries in step.
        known = uow.session.get(Deadline, deadline_id)
        sequence = 0 if known is None else (known.version if known.version is not None else known.generation)
        entries.append(deadline_entry(deadline_id, milestone["title"], name, milestone["due_at"], timezone, sequence))
    regulation_id, regulation_en = regulation_phrases(facts["region_code"])
    return {
        "region_code": facts["region_code"],
        "roles": domain.NOTICE_AUDIENCE["programme"],
        "kind": "notice_programme_started",
        "template": "programme_started.j2",
        "context": {
            "region_name": name,
            "cohort_year": facts["cohort_year"],
            "milestones": rows,
            "regulation_id": regulation_id,
            "regulation_en": regulation_en,
        },
        # The milestones only: the moment the programme was recorded as started is no appointment.
        "calendar": {
            "method": "PUBLISH",
            "timezone": timezone,
            "filename": "jadwal-pendampingan.ics",
            "events": entries,
        }
        if entries
        else None,
    }


def _deliverable_reviewed(uow: UnitOfWork, command: QueueNotice) -> dict[str, Any]:
    facts = command.facts
    deadline = uow.session.get(Deadline, events.milestone_deadline_id(facts["milestone_id"]))
    if deadline is not None and deadline.kind == UNSEEN_KIND:
        deadline = None  # only its clearing is known: no title or date to tell
    name, _timezone = region_of(uow, facts["region_code"], deadline.region_name if deadline else None)
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
    "mou.scheduled": mou_scheduled,
    "mou.signed": mou_signed,
    "mentoring.programme_started": _programme_started,
    "mentoring.deliverable_reviewed": _deliverable_reviewed,
    "mentoring.session_scheduled": session_scheduled,
}
