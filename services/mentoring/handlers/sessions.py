"""Bimtek sessions: opened with the programme, moved by an operator or mentor, announced each time with
a day-before reminder for those invited."""

from __future__ import annotations

import uuid

from services.mentoring import domain
from services.mentoring.commands import RescheduleSession
from services.mentoring.handlers.common import get_programme
from services.mentoring.orm import BimtekSession, Programme, Stage
from shared import events
from shared.clock import local_date
from shared.deadlines import DeadlineSpec, set_deadline
from shared.errors import NotFound
from shared.uow import UnitOfWork


def open_session(uow: UnitOfWork, programme: Programme, stage: Stage, planned: domain.PlannedStage) -> None:
    """The stage's session as the plan dates it, announced at once; a stage without one has none."""
    if planned.session_start is None or planned.session_end is None:
        return
    session = BimtekSession(
        id=str(uuid.uuid4()),
        programme_id=programme.id,
        stage_id=stage.id,
        title=stage.title,
        starts_on=planned.session_start,
        ends_on=planned.session_end,
        audience=list(planned.session_audience),
        sequence=0,
    )
    uow.session.add(session)
    uow.session.flush()
    announce_session(uow, programme, stage, session)


def announce_session(
    uow: UnitOfWork, programme: Programme, stage: Stage, session: BimtekSession, *, first_day_moved: bool = True
) -> None:
    """Invite the attendees (``mentoring.session_scheduled``) and, when its first day is new, have them reminded
    the day before the first."""
    uow.record(
        "mentoring.session_scheduled",
        programme.region_code,
        events.SessionScheduledV1(
            programme_id=programme.id,
            session_id=session.id,
            region_code=programme.region_code,
            region_name=programme.region_name,
            timezone=programme.timezone,
            stage_key=stage.key,
            title=session.title,
            starts_on=session.starts_on,
            ends_on=session.ends_on,
            audience=list(session.audience),
            venue=session.venue,
            sequence=session.sequence,
        ),
    )
    if not first_day_moved:
        return
    set_deadline(
        uow,
        DeadlineSpec(
            deadline_id=events.session_deadline_id(session.id),
            region_code=programme.region_code,
            region_name=programme.region_name,
            timezone=programme.timezone,
            kind="mentoring_bimtek",
            title=session.title,
            due_at=domain.session_opens_at(session.starts_on, programme.timezone),
            audience=tuple(session.audience),
            reminders=domain.SESSION_REMINDERS,
        ),
    )


def reschedule_session(uow: UnitOfWork, command: RescheduleSession) -> BimtekSession:
    """New days or a venue are announced again with the next sequence; a request that changes nothing
    announces nothing."""
    session = uow.session.get(BimtekSession, command.session_id, with_for_update=True)
    if session is None:
        raise NotFound(f"no session with id {command.session_id!r}")
    programme = get_programme(uow, session.programme_id, command.principal)
    domain.check_may_move_session(command.principal.role)
    starts_on = command.starts_on or session.starts_on
    # Moved by its first day, a session keeps its length unless a last day is given.
    ends_on = command.ends_on or starts_on + (session.ends_on - session.starts_on)
    venue = command.venue if command.venue is not None else session.venue
    if (starts_on, ends_on, venue) == (session.starts_on, session.ends_on, session.venue):
        return session
    now = uow.clock.now()
    today = local_date(now, programme.timezone)
    domain.check_session_move(starts_on, ends_on, session.starts_on, session.ends_on, today)
    first_day_moved = starts_on != session.starts_on
    session.starts_on, session.ends_on, session.venue = starts_on, ends_on, venue
    session.sequence += 1
    session.updated_at, session.updated_by = now, command.principal.sub
    stage = uow.session.get(Stage, session.stage_id)
    assert stage is not None  # a session belongs to a stage of its programme
    announce_session(uow, programme, stage, session, first_day_moved=first_day_moved)
    uow.session.flush()
    return session
