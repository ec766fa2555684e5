"""What every notice and reminder needs to know of a region, from its event or from the deadlines we keep."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from services.notifications.handlers.deadlines import UNSEEN_KIND
from services.notifications.mail import MAIL_DOMAIN
from services.notifications.mail.wording import region_label
from services.notifications.orm import Deadline
from shared.clock import MINISTRY_ZONE
from shared.uow import UnitOfWork

# The zone of an event that names none, for a region we know nothing of: the ministry's.
DEFAULT_TIMEZONE = MINISTRY_ZONE


def _known(uow: UnitOfWork, code: str) -> Any:
    return uow.session.execute(
        select(Deadline.region_name, Deadline.timezone)
        .where(Deadline.region_code == code, Deadline.kind != UNSEEN_KIND)
        .order_by(Deadline.region_name.is_(None), Deadline.updated_at.desc())
        .limit(1)
    ).first()


def region_of(uow: UnitOfWork, code: str, name: str | None = None, timezone: str | None = None) -> tuple[str, str]:
    """A region as letters write it ('Provinsi Sumatera Utara') and its zone: from the event when it carries
    them, else from the deadlines we know."""
    known = None if name and timezone else _known(uow, code)
    name = name or (known.region_name if known else None)
    return region_label(name, code), timezone or (known.timezone if known else DEFAULT_TIMEZONE)


def region_name_of(uow: UnitOfWork, code: str, name: str | None) -> str:
    return region_of(uow, code, name, DEFAULT_TIMEZONE)[0]


def calendar_entry(
    uid: str, summary: str, description: str, start: datetime, end: datetime, **extra: Any
) -> dict[str, Any]:
    """A timed calendar entry as a delivery stores it (see mail.calendar.calendar_bytes)."""
    return {
        "uid": f"{uid}@{MAIL_DOMAIN}",
        "summary": summary,
        "description": description,
        "start": start.isoformat(),
        "end": end.isoformat(),
        **extra,
    }
