"""Reading a programme's quick-win register: every quick win, and how each dimension stands."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.mentoring import domain
from services.mentoring.handlers.common import get_programme
from services.mentoring.orm import QuickWin
from shared.auth import Principal
from shared.uow import UnitOfWork


def quick_win_view(quick_win: QuickWin) -> dict[str, Any]:
    return {
        "id": quick_win.id,
        "programme_id": quick_win.programme_id,
        "dimension": quick_win.dimension,
        "what": quick_win.what,
        "owner": quick_win.owner,
        "due_date": quick_win.due_date.isoformat() if quick_win.due_date else None,
        "due_at": quick_win.due_at.isoformat() if quick_win.due_at else None,
        "evidence": quick_win.evidence,
        "status": quick_win.status,
        "created_at": quick_win.created_at.isoformat(),
        "created_by": quick_win.created_by,
        "updated_at": quick_win.updated_at.isoformat(),
        "updated_by": quick_win.updated_by,
    }


def quick_win_register(
    uow: UnitOfWork, programme_id: str, principal: Principal, dimension: str | None = None
) -> dict[str, Any]:
    """Quick wins in the order of the six dimensions, then by due date; with a count per dimension and status."""
    programme = get_programme(uow, programme_id, principal)
    query = select(QuickWin).where(QuickWin.programme_id == programme.id)
    if dimension is not None:
        domain.check_dimension(dimension)
        query = query.where(QuickWin.dimension == dimension)
    rows = list(uow.session.scalars(query.order_by(QuickWin.created_at, QuickWin.id)))
    order = {d: i for i, d in enumerate(domain.DIMENSIONS)}
    rows.sort(key=lambda q: (order.get(q.dimension, len(order)), q.due_date is None, q.due_date or q.created_at.date()))
    dimensions = {
        d: {"title": domain.DIMENSION_TITLES[d], **dict.fromkeys(domain.QUICK_WIN_STATES, 0)}
        for d in domain.DIMENSIONS
        if dimension in (None, d)
    }
    for row in rows:
        dimensions[row.dimension][row.status] += 1
    return {"programme_id": programme.id, "items": [quick_win_view(q) for q in rows], "dimensions": dimensions}
