"""MoU tables: agreements, their signatories, documents and audit trail, and the number register."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import JSONType, UTCDateTime, new_metadata
from shared.messaging.tables import deadline_versions_table, messaging_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


metadata = Base.metadata
messaging_tables(metadata)
deadline_versions_table(metadata)


class NumberRegister(Base):
    """The last agreement number given out per cohort; bumped under the agreement's transaction."""

    __tablename__ = "number_register"

    cohort_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_sequence: Mapped[int] = mapped_column(Integer, nullable=False)


class Agreement(Base):
    __tablename__ = "agreements"
    __table_args__ = (UniqueConstraint("cohort_year", "region_code", name="uq_agreements_cohort_region"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    cohort_year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    region_code: Mapped[str] = mapped_column(String(5), nullable=False, index=True)
    region_name: Mapped[str] = mapped_column(String(120), nullable=False)
    timezone: Mapped[str] = mapped_column(String(40), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    sign_by: Mapped[date] = mapped_column(Date, nullable=False)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    mode: Mapped[str | None] = mapped_column(String(8), nullable=True)
    venue: Mapped[str | None] = mapped_column(String(300), nullable=True)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    terminated_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Official roles invited to the ceremony besides the signatories.
    invited: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    appointments: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    region_number: Mapped[str | None] = mapped_column(String(120), nullable=True)
    ministry_number: Mapped[str | None] = mapped_column(String(120), nullable=True)
    attendees: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class Signatory(Base):
    __tablename__ = "signatories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreements.id"), nullable=False, index=True)
    party: Mapped[str] = mapped_column(String(10), nullable=False)
    name: Mapped[str] = mapped_column(String(160), nullable=False)
    position: Mapped[str] = mapped_column(String(200), nullable=False)
    acting: Mapped[str | None] = mapped_column(String(4), nullable=True)
    on_behalf_of: Mapped[str | None] = mapped_column(String(200), nullable=True)
    title: Mapped[str | None] = mapped_column(String(80), nullable=True)


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("agreement_id", "version", name="uq_documents_agreement_version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreements.id"), nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    storage_path: Mapped[str] = mapped_column(String(400), nullable=False)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    uploaded_by: Mapped[str] = mapped_column(String(120), nullable=False)


class AuditEntry(Base):
    __tablename__ = "audit_trail"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreements.id"), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    actor: Mapped[str] = mapped_column(String(120), nullable=False)
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    correlation_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
