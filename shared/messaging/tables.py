"""The outbox and inbox tables every service keeps beside its own."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text

from shared.db import JSONType, UTCDateTime


def messaging_tables(metadata: MetaData) -> tuple[Table, Table]:
    outbox = Table(
        "outbox",
        metadata,
        Column("id", String(36), primary_key=True),
        Column("type", String(80), nullable=False),
        Column("subject", String(64), nullable=False),
        Column("envelope", JSONType, nullable=False),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("published_at", UTCDateTime(), nullable=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
    )
    # The sweep looks only at unpublished rows, oldest first.
    Index("ix_outbox_unpublished", outbox.c.published_at, outbox.c.created_at)
    inbox = Table(
        "inbox",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("type", String(80), nullable=False),
        Column("correlation_id", String(64), nullable=True),
        Column("processed_at", UTCDateTime(), nullable=False),
    )
    return outbox, inbox


def deadline_versions_table(metadata: MetaData) -> Table:
    """Each deadline a service publishes, with the count of its changes: the version its deadline.set
    and deadline.cleared carry, incremented in the transaction of the change that causes them."""
    return Table(
        "deadline_versions",
        metadata,
        Column("deadline_id", String(200), primary_key=True),
        Column("version", Integer, nullable=False),
        Column("updated_at", UTCDateTime(), nullable=False),
    )
