"""Calendar feeds: one live token per region, and a SEQUENCE per event that rises when the event changes."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import select

from services.console import commands
from services.console.domain import next_sequence
from services.console.domain.accounts import REGION_CODE
from services.console.orm import FeedEntry, FeedToken
from services.console.uow import UnitOfWork
from shared.errors import Invalid, NotFound


def _live(uow: UnitOfWork, region_code: str) -> list[FeedToken]:
    return list(
        uow.session.scalars(
            select(FeedToken).where(FeedToken.region_code == region_code, FeedToken.revoked_at.is_(None))
        )
    )


def _revoke(uow: UnitOfWork, tokens: list[FeedToken], actor: str) -> None:
    now = uow.clock.now()
    for token in tokens:
        token.revoked_at = now
        token.revoked_by = actor


def issue_feed_token(uow: UnitOfWork, command: commands.IssueFeedToken) -> FeedToken:
    if not REGION_CODE.fullmatch(command.region_code):
        raise Invalid("a region code looks like 12 or 12.01", field="region")
    _revoke(uow, _live(uow, command.region_code), command.actor)
    token = FeedToken(
        id=str(uuid.uuid4()),
        region_code=command.region_code,
        # 256 bits: the address is the only credential a calendar client can send.
        token=secrets.token_urlsafe(32),
        created_at=uow.clock.now(),
        created_by=command.actor,
    )
    uow.session.add(token)
    uow.session.flush()
    return token


def revoke_feed_token(uow: UnitOfWork, command: commands.RevokeFeedToken) -> int:
    live = _live(uow, command.region_code)
    if not live:
        raise NotFound(f"region {command.region_code} has no calendar feed to revoke")
    _revoke(uow, live, command.actor)
    return len(live)


def record_feed_entries(uow: UnitOfWork, command: commands.RecordFeedEntries) -> dict[str, int]:
    """Each uid's SEQUENCE: unchanged content keeps it, changed content raises it by one."""
    uids = [uid for uid, _hash, _summary in command.entries]
    known = {
        entry.uid: entry
        for entry in uow.session.scalars(select(FeedEntry).where(FeedEntry.uid.in_(uids)).with_for_update())
    }
    now = uow.clock.now()
    sequences = {}
    for uid, content_hash, summary in command.entries:
        entry = known.get(uid)
        previous = (entry.content_hash, entry.sequence) if entry is not None else None
        sequence = next_sequence(previous, content_hash)
        if entry is None:
            uow.session.add(
                FeedEntry(
                    uid=uid,
                    region_code=command.region_code,
                    content_hash=content_hash,
                    sequence=sequence,
                    summary=summary[:1000],
                    updated_at=now,
                )
            )
        elif entry.content_hash != content_hash:
            entry.content_hash, entry.sequence, entry.summary, entry.updated_at = content_hash, sequence, summary, now
        sequences[uid] = sequence
    return sequences
