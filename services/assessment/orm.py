"""Assessment tables: regions, officials (with history), cohorts, applications and scores."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import JSONType, UTCDateTime, new_metadata
from shared.messaging.tables import deadline_versions_table, messaging_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


metadata = Base.metadata
messaging_tables(metadata)
deadline_versions_table(metadata)


class Region(Base):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    province_code: Mapped[str | None] = mapped_column(String(2), nullable=True, index=True)
    timezone: Mapped[str] = mapped_column(String(40), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class Official(Base):
    __tablename__ = "officials"
    __table_args__ = (
        Index("ix_officials_current", "region_code", "role", "valid_until"),
        # The database itself refuses a second current holder of a role, whatever races above it.
        Index(
            "uq_officials_current_role",
            "region_code",
            "role",
            unique=True,
            sqlite_where=text("valid_until IS NULL"),
            postgresql_where=text("valid_until IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), nullable=False)
    role: Mapped[str] = mapped_column(String(40), nullable=False)
    name: Mapped[str] = mapped_column(String(160), nullable=False)
    title: Mapped[str | None] = mapped_column(String(80), nullable=True)
    position: Mapped[str | None] = mapped_column(String(160), nullable=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    acting: Mapped[str | None] = mapped_column(String(4), nullable=True)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(120), nullable=False)


class Cohort(Base):
    __tablename__ = "cohorts"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    quota_provinsi: Mapped[int] = mapped_column(Integer, nullable=False)
    quota_kabkota: Mapped[int] = mapped_column(Integer, nullable=False)
    applications_open_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    applications_close_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    assessment_due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    rubric: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    forced_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("cohort_year", "region_code", name="uq_applications_cohort_region"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    cohort_year: Mapped[int] = mapped_column(ForeignKey("cohorts.year"), nullable=False)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    submitted_by: Mapped[str] = mapped_column(String(120), nullable=False)
    total: Mapped[float | None] = mapped_column(Float, nullable=True)
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    selected: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Score(Base):
    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("application_id", "assessor", "criterion", name="uq_scores_sheet_criterion"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), nullable=False, index=True)
    assessor: Mapped[str] = mapped_column(String(120), nullable=False)
    criterion: Mapped[str] = mapped_column(String(60), nullable=False)
    value: Mapped[float] = mapped_column(Float, nullable=False)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class AuditEntry(Base):
    """What was done to a cohort, by whom and why: selection (forced or not), opening, moved dates."""

    __tablename__ = "audit_trail"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cohort_year: Mapped[int] = mapped_column(ForeignKey("cohorts.year"), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    actor: Mapped[str] = mapped_column(String(120), nullable=False)
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    correlation_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


class RegisterRevision(Base):
    """One row counting changes to the region register, so a reader can tell cheaply whether the list it
    serialised earlier is still the current one (GET /regions answers from that copy, with an ETag)."""

    __tablename__ = "register_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
