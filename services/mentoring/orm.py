"""Mentoring tables: plan templates, programmes with stages, milestones and Bimtek sessions, mentors,
deliverables, quick wins and yearly evaluations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import JSONType, UTCDateTime, new_metadata
from shared.messaging.tables import deadline_versions_table, messaging_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


metadata = Base.metadata
messaging_tables(metadata)
deadline_versions_table(metadata)


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


class BimtekSession(Base):
    """A stage's technical guidance round (bimtek): its local days, who is invited, and how often it moved."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), nullable=False, index=True)
    stage_id: Mapped[str] = mapped_column(ForeignKey("stages.id"), nullable=False, unique=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(Date, nullable=False)
    audience: Mapped[list[str]] = mapped_column(JSONType, nullable=False)
    venue: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # Counts the announcements after the first, as a calendar entry's SEQUENCE does.
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_by: Mapped[str | None] = mapped_column(String(120), nullable=True)


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


class PlanTemplateVersion(Base):
    """A cohort's plan template; each change is a new version and programmes name the one they used."""

    __tablename__ = "plan_templates"
    __table_args__ = (UniqueConstraint("cohort_year", "version", name="uq_plan_templates_cohort_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cohort_year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    body: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    created_by: Mapped[str] = mapped_column(String(120), nullable=False)


class ProgrammeMentor(Base):
    """A mentor (the ``sub`` of their token) assigned to a programme."""

    __tablename__ = "programme_mentors"

    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), primary_key=True)
    mentor: Mapped[str] = mapped_column(String(120), primary_key=True, index=True)
    name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    assigned_by: Mapped[str] = mapped_column(String(120), nullable=False)


class Submission(Base):
    """One hand-in of a deliverable (an uploaded file or a link) and, once reviewed, the mentor's decision."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("milestone_id", "attempt", name="uq_submissions_milestone_attempt"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), nullable=False, index=True)
    milestone_id: Mapped[str] = mapped_column(ForeignKey("milestones.id"), nullable=False, index=True)
    attempt: Mapped[int] = mapped_column(Integer, nullable=False)
    link: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    content_type: Mapped[str | None] = mapped_column(String(120), nullable=True)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    submitted_by: Mapped[str] = mapped_column(String(120), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    comments: Mapped[str | None] = mapped_column(Text, nullable=True)
    revision_due_date: Mapped[date | None] = mapped_column(Date, nullable=True)


class EvaluationWeights(Base):
    """Monev weights per dimension for one cohort; the dimensions themselves change by year."""

    __tablename__ = "evaluation_weights"

    cohort_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    weights: Mapped[dict[str, float]] = mapped_column(JSONType, nullable=False)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    set_by: Mapped[str] = mapped_column(String(120), nullable=False)


class Evaluation(Base):
    """A programme's monev of one year: the region's self-assessment with evidence, then an assessor's
    confirmation."""

    __tablename__ = "evaluations"

    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    self_assessment: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    submitted_by: Mapped[str] = mapped_column(String(120), nullable=False)
    confirmed_scores: Mapped[dict[str, float] | None] = mapped_column(JSONType, nullable=True)
    weights: Mapped[dict[str, float] | None] = mapped_column(JSONType, nullable=True)
    achievement_index: Mapped[float | None] = mapped_column(Float, nullable=True)
    assessor_comments: Mapped[str | None] = mapped_column(Text, nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    confirmed_by: Mapped[str | None] = mapped_column(String(120), nullable=True)


class QuickWin(Base):
    """One quick win in a programme's register: what, who carries it out, by when, and its evidence."""

    __tablename__ = "quick_wins"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), nullable=False, index=True)
    dimension: Mapped[str] = mapped_column(String(20), nullable=False)
    what: Mapped[str] = mapped_column(String(500), nullable=False)
    owner: Mapped[str] = mapped_column(String(200), nullable=False)
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    evidence: Mapped[list[str]] = mapped_column(JSONType, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    created_by: Mapped[str] = mapped_column(String(120), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_by: Mapped[str] = mapped_column(String(120), nullable=False)
