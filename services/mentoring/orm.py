"""Mentoring tables: programmes, their stages and milestones, and the milestones' date history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import JSONType, UTCDateTime, new_metadata
from shared.messaging.tables import messaging_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


metadata = Base.metadata
messaging_tables(metadata)


class Programme(Base):
    __tablename__ = "programmes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agreement_id: Mapped[str] = mapped_column(String(36), nullable=False, unique=True)
    cohort_year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    region_code: Mapped[str] = mapped_column(String(5), nullable=False, index=True)
    region_name: Mapped[str] = mapped_column(String(120), nullable=False)
    timezone: Mapped[str] = mapped_column(String(40), nullable=False)
    signed_on: Mapped[date] = mapped_column(Date, nullable=False)
    template: Mapped[str] = mapped_column(String(80), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Stage(Base):
    __tablename__ = "stages"
    __table_args__ = (UniqueConstraint("programme_id", "key", name="uq_stages_programme_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), nullable=False, index=True)
    key: Mapped[str] = mapped_column(String(60), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    session_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    session_end: Mapped[date | None] = mapped_column(Date, nullable=True)


class Milestone(Base):
    __tablename__ = "milestones"
    __table_args__ = (UniqueConstraint("programme_id", "key", name="uq_milestones_programme_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), nullable=False, index=True)
    stage_id: Mapped[str] = mapped_column(ForeignKey("stages.id"), nullable=False, index=True)
    key: Mapped[str] = mapped_column(String(60), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    due_date: Mapped[date] = mapped_column(Date, nullable=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    audience: Mapped[list[str]] = mapped_column(JSONType, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)


class MilestoneChange(Base):
    """Every move of a milestone's due date, with who and why."""

    __tablename__ = "milestone_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    milestone_id: Mapped[str] = mapped_column(ForeignKey("milestones.id"), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    actor: Mapped[str] = mapped_column(String(120), nullable=False)
    old_due_date: Mapped[date] = mapped_column(Date, nullable=False)
    new_due_date: Mapped[date] = mapped_column(Date, nullable=False)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
