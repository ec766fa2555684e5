"""Quick wins: the region's register per smart city dimension, each with its owner, due date, evidence
and status, and a deadline while it has a due date and is not done or dropped."""

from __future__ import annotations

import uuid

from services.mentoring import domain
from services.mentoring.commands import AddQuickWin, UpdateQuickWin
from services.mentoring.handlers.common import get_programme
from services.mentoring.orm import Programme, QuickWin
from shared.clock import end_of_local_day, local_date
from shared.deadlines import DeadlineSpec, clear_deadline, set_deadline
from shared.errors import NotFound
from shared.uow import UnitOfWork


def add_quick_win(uow: UnitOfWork, command: AddQuickWin) -> QuickWin:
    programme = get_programme(uow, command.programme_id, command.principal)
    domain.check_dimension(command.dimension)
    now = uow.clock.now()
    quick_win = QuickWin(
        id=str(uuid.uuid4()),
        programme_id=programme.id,
        dimension=command.dimension,
        what=command.what,
        owner=command.owner,
        evidence=list(command.evidence),
        status=domain.INITIAL["quick_win"],
        created_at=now,
        created_by=command.principal.sub,
        updated_at=now,
        updated_by=command.principal.sub,
    )
    if command.due_date is not None:
        domain.check_quick_win_due(command.due_date, local_date(now, programme.timezone))
        quick_win.due_date = command.due_date
        quick_win.due_at = end_of_local_day(command.due_date, programme.timezone)
    uow.session.add(quick_win)
    uow.session.flush()
    if quick_win.due_at is not None:
        _announce(uow, programme, quick_win)
    return quick_win


def update_quick_win(uow: UnitOfWork, command: UpdateQuickWin) -> QuickWin:
    # Locked: two updates sent at the same moment are applied one after the other.
    quick_win = uow.session.get(QuickWin, command.quick_win_id, with_for_update=True)
    if quick_win is None:
        raise NotFound(f"no quick win with id {command.quick_win_id!r}")
    programme = get_programme(uow, quick_win.programme_id, command.principal)
    domain.check_quick_win_open(quick_win.status)
    now = uow.clock.now()
    announced = (quick_win.what, quick_win.due_at)
    if command.what is not None:
        quick_win.what = command.what
    if command.owner is not None:
        quick_win.owner = command.owner
    if command.evidence is not None:
        quick_win.evidence = list(command.evidence)
    if command.due_date is not None and command.due_date != quick_win.due_date:
        domain.check_quick_win_due(command.due_date, local_date(now, programme.timezone))
        quick_win.due_date = command.due_date
        quick_win.due_at = end_of_local_day(command.due_date, programme.timezone)
    quick_win.updated_at, quick_win.updated_by = now, command.principal.sub
    if command.status is not None and command.status != quick_win.status:
        domain.check_quick_win_move(quick_win.status, command.status, command.principal.role, quick_win.evidence)
        quick_win.status = command.status
    uow.session.flush()
    ending = domain.quick_win_deadline_on_entry(quick_win.status)
    if ending is not None and quick_win.due_at is not None:
        clear_deadline(uow, domain.quick_win_deadline_id(quick_win.id), programme.region_code, ending)
    elif ending is None and quick_win.due_at is not None and (quick_win.what, quick_win.due_at) != announced:
        # A new due date or a new name is announced again; reminders follow it.
        _announce(uow, programme, quick_win)
    return quick_win


def _announce(uow: UnitOfWork, programme: Programme, quick_win: QuickWin) -> None:
    assert quick_win.due_at is not None  # only a quick win with a due date has a deadline
    set_deadline(
        uow,
        DeadlineSpec(
            deadline_id=domain.quick_win_deadline_id(quick_win.id),
            region_code=programme.region_code,
            region_name=programme.region_name,
            timezone=programme.timezone,
            kind="mentoring_quick_win",
            title=domain.quick_win_title(quick_win.dimension, quick_win.what),
            due_at=quick_win.due_at,
            audience=domain.QUICK_WIN_AUDIENCE,
        ),
    )
