"""Notification tables: the deadline projection, reminder rows, deliveries and the officials cache."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import JSONType, UTCDateTime, new_metadata
from shared.messaging.tables import messaging_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


metadata = Base.metadata
messaging_tables(metadata)


class Deadline(Base):
    """What the producers said about a deadline, last word wins."""

    __tablename__ = "deadlines"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(5), nullable=False, index=True)
    region_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    timezone: Mapped[str] = mapped_column(String(40), nullable=False)
    kind: Mapped[str] = mapped_column(String(60), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    audience: Mapped[list[str]] = mapped_column(JSONType, nullable=False)
    link: Mapped[str | None] = mapped_column(String(500), nullable=True)
    status: Mapped[str] = mapped_column(String(12), nullable=False)  # active | cleared
    source: Mapped[str] = mapped_column(String(20), nullable=False)
    correlation_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    generation: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # The publisher's count of changes in the last event applied: what orders the next one, whatever the
    # clocks of the processes that sent them say. None while its producer sent no count.
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # standard (the reminder policy) or day_before (one reminder, the day before a session or ceremony)
    reminders: Mapped[str] = mapped_column(String(12), nullable=False, default="standard", server_default="standard")
    last_event_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class Reminder(Base):
    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("deadline_id", "generation", "kind", name="uq_reminders_deadline_generation_kind"),
        # The sweep reads only pending rows by due time.
        Index("ix_reminders_pending", "status", "due_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    deadline_id: Mapped[str] = mapped_column(ForeignKey("deadlines.id"), nullable=False, index=True)
    generation: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    step: Mapped[int] = mapped_column(Integer, nullable=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    # pending -> dispatched | superseded | cancelled
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Delivery(Base):
    """One email to one person. The unique (reminder, recipient) row is claimed before sending."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("dedupe_key", "recipient", name="uq_deliveries_dedupe_recipient"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(120), nullable=False)  # reminder id, or event id for notices
    reminder_id: Mapped[str | None] = mapped_column(ForeignKey("reminders.id"), nullable=True, index=True)
    deadline_id: Mapped[str | None] = mapped_column(String(120), nullable=True, index=True)
    region_code: Mapped[str] = mapped_column(String(5), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    recipient: Mapped[str] = mapped_column(String(254), nullable=False, index=True)
    recipient_name: Mapped[str] = mapped_column(String(300), nullable=False)
    recipient_role: Mapped[str] = mapped_column(String(40), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    message_id: Mapped[str] = mapped_column(String(200), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    # pending -> sending -> sent | retrying | failed
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    correlation_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class OfficialsCache(Base):
    """Officials as assessment last told us; dropped on assessment.officials_changed."""

    __tablename__ = "officials_cache"

    region_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    officials: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
