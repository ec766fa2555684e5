"""The one way a service announces a deadline to notifications, or says it is met or cancelled.

Every publisher (assessment, MoU, mentoring) records ``deadline.set`` / ``deadline.cleared`` through
these two functions, inside the unit of work of the change that causes them, so the deadline and the
change commit together. The id formats live in ``shared.events``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from shared import events
from shared.uow import UnitOfWork


@dataclass(frozen=True)
class DeadlineSpec:
    """What a reminder needs to know of a deadline, and nothing of the domain that set it."""

    deadline_id: str
    region_code: str
    region_name: str | None
    timezone: str
    kind: str
    title: str
    due_at: datetime
    audience: tuple[str, ...]
    link: str | None = None


def set_deadline(uow: UnitOfWork, spec: DeadlineSpec) -> events.Envelope:
    return uow.record(
        "deadline.set",
        spec.region_code,
        events.DeadlineSetV1(
            deadline_id=spec.deadline_id,
            region_code=spec.region_code,
            region_name=spec.region_name,
            timezone=spec.timezone,
            kind=spec.kind,
            title=spec.title,
            due_at=spec.due_at,
            audience=list(spec.audience),
            link=spec.link,
        ),
    )


def clear_deadline(
    uow: UnitOfWork, deadline_id: str, region_code: str, reason: Literal["met", "cancelled"]
) -> events.Envelope:
    return uow.record(
        "deadline.cleared",
        region_code,
        events.DeadlineClearedV1(deadline_id=deadline_id, region_code=region_code, reason=reason),
    )


def clear_deadlines(
    uow: UnitOfWork, deadline_ids: Iterable[str], region_code: str, reason: Literal["met", "cancelled"]
) -> None:
    for deadline_id in deadline_ids:
        clear_deadline(uow, deadline_id, region_code, reason)
