"""What the console can be asked to change in its own database: accounts, the audit, calendar feeds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AddUser:
    username: str
    role: str
    region: str | None
    password: str
    display_name: str | None = None


@dataclass(frozen=True)
class SetPassword:
    username: str
    password: str


@dataclass(frozen=True)
class DisableUser:
    username: str


@dataclass(frozen=True)
class SignIn:
    """A local sign-in: the password is checked against its argon2 hash, and the hash upgraded if due."""

    username: str
    password: str


@dataclass(frozen=True)
class RecordAction:
    actor: str
    role: str | None
    region: str | None
    action: str
    method: str
    path: str
    status_code: int
    correlation_id: str | None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IssueFeedToken:
    """A new feed address for the region; the previous one stops working."""

    region_code: str
    actor: str


@dataclass(frozen=True)
class RevokeFeedToken:
    region_code: str
    actor: str


@dataclass(frozen=True)
class RecordFeedEntries:
    """The content hash of each event a feed is about to serve, to learn each one's SEQUENCE."""

    region_code: str
    entries: tuple[tuple[str, str, str], ...]  # (uid, content hash, summary)
