"""Commands of the notification service: one frozen dataclass per use case that changes something."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.notifications.domain import SendOutcome
from shared.config import ReminderPolicy

Official = Mapping[str, Any]  # one official as the assessment service lists them: role, name, email, ...


@dataclass(frozen=True)
class ApplyDeadlineSet:
    """Record what a producer said about a deadline and plan its reminders if it is new or moved."""

    deadline_id: str
    region_code: str
    region_name: str | None
    timezone: str
    kind: str
    title: str
    due_at: datetime
    audience: tuple[str, ...]
    link: str | None
    source: str
    correlation_id: str | None
    occurred_at: datetime
    policy: ReminderPolicy
    # The publisher's count of changes to this deadline (None from producers that do not count yet).
    version: int | None = None
    reminders: str = "standard"  # or "day_before": one reminder, the day before a session or ceremony


@dataclass(frozen=True)
class ApplyDeadlineCleared:
    """Mark a deadline met or cancelled and cancel its unsent reminders."""

    deadline_id: str
    region_code: str
    source: str
    correlation_id: str | None
    occurred_at: datetime
    version: int | None = None


@dataclass(frozen=True)
class ForgetOfficials:
    """Drop the cached officials of a region, which assessment says have changed."""

    region_code: str


@dataclass(frozen=True)
class QueueNotice:
    """Queue the notice a stage event calls for, one delivery per official of its audience.

    ``facts`` are the event's data as plain values; ``officials`` were fetched before the transaction
    opened; ``organizer`` is the sender's address, named in calendar invitations.
    """

    event_type: str
    event_id: str
    occurred_at: datetime
    correlation_id: str | None
    region_code: str
    facts: Mapping[str, Any]
    officials: tuple[Official, ...]
    organizer: str


@dataclass(frozen=True)
class DispatchDueReminders:
    """Turn the due reminders of these deadlines into deliveries: the latest per deadline, earlier ones
    superseded. A deadline whose region is missing from ``officials`` keeps its reminders pending."""

    deadline_ids: tuple[str, ...]
    officials: Mapping[str, tuple[Official, ...]]
    escalation: tuple[str, ...]


@dataclass(frozen=True)
class ClaimDelivery:
    """Take a due delivery for sending (pending or retrying -> sending), so that no one else sends it."""

    delivery_id: str
    # How long the claim holds: longer than the slowest SMTP conversation RFC 5321 allows.
    lease_seconds: float = 3600.0


@dataclass(frozen=True)
class RecordDeliveryOutcome:
    """Record what the mail server answered for a claimed delivery: sent, retry later, or failed."""

    delivery_id: str
    outcome: SendOutcome
    retry_seconds: float
    # The attempt the claim counted: a worker whose lease ran out and was claimed again records nothing.
    attempt: int | None = None


@dataclass(frozen=True)
class ResendDelivery:
    """An operator sends a failed delivery again: it becomes due now, with its attempts counted afresh."""

    delivery_id: str
    actor: str


@dataclass(frozen=True)
class ClaimDeliveries:
    """ClaimDelivery for a batch, in one statement."""

    delivery_ids: tuple[str, ...]
    lease_seconds: float = 3600.0
