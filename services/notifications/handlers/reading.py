"""Reading the deliveries log: what was sent, to whom, when, and what failed and why."""

from __future__ import annotations

from sqlalchemy import select

from services.notifications.orm import Delivery
from shared.uow import UnitOfWork


def list_deliveries(
    uow: UnitOfWork,
    *,
    region: str | None = None,
    deadline: str | None = None,
    status: str | None = None,
    recipient: str | None = None,
    limit: int = 200,
) -> list[Delivery]:
    query = select(Delivery).order_by(Delivery.created_at.desc(), Delivery.recipient).limit(limit)
    if region:
        query = query.where(Delivery.region_code == region)
    if deadline:
        query = query.where(Delivery.deadline_id == deadline)
    if status:
        query = query.where(Delivery.status == status)
    if recipient:
        query = query.where(Delivery.recipient == recipient.lower())
    return list(uow.session.scalars(query))
