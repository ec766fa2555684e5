"""Reads of the console's own database: accounts, feed tokens and the audit."""

from __future__ import annotations

from sqlalchemy import select

from services.console.orm import AuditEntry, FeedToken, User
from services.console.uow import UnitOfWork


def list_users(uow: UnitOfWork) -> list[User]:
    return list(uow.session.scalars(select(User).order_by(User.role, User.username)))


def live_feed_token(uow: UnitOfWork, region_code: str) -> FeedToken | None:
    return uow.session.scalar(
        select(FeedToken)
        .where(FeedToken.region_code == region_code, FeedToken.revoked_at.is_(None))
        .order_by(FeedToken.created_at.desc())
    )


def feed_region(uow: UnitOfWork, token: str) -> str | None:
    """The region whose live feed this token opens, or None (unknown or revoked)."""
    row = uow.session.scalar(select(FeedToken).where(FeedToken.token == token, FeedToken.revoked_at.is_(None)))
    return row.region_code if row is not None else None


def recent_actions(uow: UnitOfWork, *, actor: str | None = None, limit: int = 50) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.at.desc()).limit(limit)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    return list(uow.session.scalars(query))
