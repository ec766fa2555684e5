"""Data of the generic deadline events and of notifications' own events, and the deadline id formats."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, Field, field_validator

from shared.events.envelope import EventData
from shared.validation import check_instant

# Deadline ids are chosen by their publisher and read by others (notifications reuses a milestone's
# deadline id as the calendar entry's UID): their formats are part of the contract, so they live here.


def milestone_deadline_id(milestone_id: str) -> str:
    return f"mentoring:milestone:{milestone_id}"


def session_deadline_id(session_id: str) -> str:
    return f"mentoring:session:{session_id}"


def signing_deadline_id(agreement_id: str) -> str:
    return f"mou:signing:{agreement_id}"


def self_assessment_deadline_id(cohort_year: int, region_code: str) -> str:
    return f"assessment:{cohort_year}:self_assessment:{region_code}"


def assessment_deadline_id(cohort_year: int, region_code: str) -> str:
    return f"assessment:{cohort_year}:assessment:{region_code}"


AudienceRole = Literal["head_of_region", "regional_secretary", "kominfo_head", "bappeda_head", "bpkpad_head"]


class DeadlineSetV1(EventData):
    deadline_id: str = Field(description="Stable key chosen by the producer, e.g. 'mentoring:milestone:<id>'")
    region_code: str
    region_name: str | None = None
    timezone: str
    kind: str
    title: str
    due_at: AwareDatetime
    audience: list[str] = Field(min_length=1)
    link: str | None = None
    version: int | None = Field(
        default=None,
        description="The publisher's count of changes to this deadline, kept in the deadline's own row: "
        "consumers apply a set or clear only if its version is newer than the last they applied, whatever "
        "the clocks of the processes that sent them say",
    )
    reminders: Literal["standard", "day_before"] = Field(
        default="standard",
        description="standard: the reminder policy with escalation when overdue; day_before: one reminder "
        "the day before, never overdue (a session or ceremony the ministry itself has set)",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        # Reminders are sent at a local hour; a zone nobody knows would fail every retry downstream.
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone, e.g. Asia/Jakarta") from None
        return value

    @field_validator("due_at")
    @classmethod
    def _within_the_programme(cls, value: datetime) -> datetime:
        # A date no reminder can be planned for would fail every retry downstream: refuse it here.
        return check_instant(value)


class DeadlineClearedV1(EventData):
    deadline_id: str
    region_code: str
    reason: Literal["met", "cancelled"]
    version: int | None = Field(default=None, description="as in deadline.set: the publisher's count of changes")


class NotificationSentV1(EventData):
    delivery_id: str
    region_code: str
    recipient: str
    kind: str
    deadline_id: str | None = None


class NotificationFailedV1(NotificationSentV1):
    reason: str
