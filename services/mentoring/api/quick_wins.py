"""Routes for the quick-win register of a programme."""

from __future__ import annotations

from flask import Response, jsonify

from services.mentoring import handlers, views
from services.mentoring.api.common import READERS, REGISTER_KEEPERS, api, quick_wins_tag
from services.mentoring.commands import AddQuickWin, UpdateQuickWin
from services.mentoring.schemas import (
    ProgrammePath,
    QuickWinIn,
    QuickWinOut,
    QuickWinPath,
    QuickWinQuery,
    QuickWinRegister,
    QuickWinUpdateIn,
)
from shared.web import current_principal, requires, runtime_of


@api.get(
    "/programmes/<programme_id>/quick-wins",
    tags=[quick_wins_tag],
    responses={200: QuickWinRegister},
    summary="The quick-win register, by smart city dimension, with a count per dimension and status",
)
@requires(*READERS)
def list_quick_wins(path: ProgrammePath, query: QuickWinQuery) -> Response:
    with runtime_of().uow() as uow:
        return jsonify(views.quick_win_register(uow, path.programme_id, current_principal(), query.dimension))


@api.post(
    "/programmes/<programme_id>/quick-wins",
    tags=[quick_wins_tag],
    responses={201: QuickWinOut},
    summary="Add a quick win (planned); a due date is announced as a deadline",
)
@requires(*REGISTER_KEEPERS)
def add_quick_win(path: ProgrammePath, body: QuickWinIn) -> tuple[Response, int]:
    command = AddQuickWin(
        path.programme_id,
        current_principal(),
        body.dimension,
        body.what,
        body.owner,
        body.due_date,
        tuple(str(link) for link in body.evidence),
    )
    with runtime_of().uow() as uow:
        quick_win = handlers.add_quick_win(uow, command)
        uow.commit()
        return jsonify(views.quick_win_view(quick_win)), 201


@api.patch(
    "/quick-wins/<quick_win_id>",
    tags=[quick_wins_tag],
    responses={200: QuickWinOut},
    summary="Update a quick win or move it: in_progress, done (with evidence; meets its deadline) or dropped "
    "(by a mentor or operator; cancels it)",
)
@requires(*REGISTER_KEEPERS)
def update_quick_win(path: QuickWinPath, body: QuickWinUpdateIn) -> Response:
    evidence = tuple(str(link) for link in body.evidence) if body.evidence is not None else None
    command = UpdateQuickWin(
        path.quick_win_id, current_principal(), body.what, body.owner, body.due_date, evidence, body.status
    )
    with runtime_of().uow() as uow:
        quick_win = handlers.update_quick_win(uow, command)
        uow.commit()
        return jsonify(views.quick_win_view(quick_win))
