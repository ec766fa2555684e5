"""The outbox and inbox tables every service keeps beside its own, and how their lookups are planned."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text, text
from sqlalchemy.orm import Session

from shared.db import JSONType, UTCDateTime, is_postgres

# set_config(..., true) lasts until the transaction ends, like SET LOCAL, and several fit in one round trip.
_CUSTOM_PLANS = "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)"


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


def plan_for_these_ids(session: Session, *, wait_for_disk: bool = True) -> None:
    """Start the session's transaction with custom plans, and optionally without waiting for the disk.

    The relay and the batch consumer look rows up by lists of ids, with the same SQL text every time, so the
    driver prepares those statements and PostgreSQL soon settles on one generic plan per connection. Made
    while the tables are still small (a fresh database, the first minutes of a new cohort), that plan is a
    sequential scan, kept until the next ANALYZE: each lookup then reads the whole inbox or outbox, and a
    burst of ten thousand events slows down as it goes. Planning each lookup for its ids costs a fraction
    of a millisecond and always finds the primary key.

    ``wait_for_disk=False`` also turns off synchronous commit, for a transaction whose loss in a crash only
    means doing it again (the relay's marks: the sweep resends, the consumers' inbox absorbs it).
    """
    if not is_postgres(session.get_bind()):
        return
    statement = _CUSTOM_PLANS if wait_for_disk else _CUSTOM_PLANS + ", set_config('synchronous_commit', 'off', true)"
    session.execute(text(statement))
