"""What the MoU service can be asked to do: one command per state-changing use case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.mou.domain import SignatoryInput
from shared.auth import Principal


@dataclass(frozen=True)
class DraftAgreement:
    """Assessment selected a region into a cohort; the event's id and type are kept in the audit trail."""

    cohort_year: int
    region_code: str
    region_name: str
    timezone: str
    selected_at: datetime
    signing_days: int
    event_id: str
    event_type: str


@dataclass(frozen=True)
class ScheduleAgreement:
    """A naive ``scheduled_at`` is wall-clock time in the ministry's zone (WIB): one ceremony, one instant.
    ``attendees`` are the official roles invited besides the signatories (Bappeda, BPKPAD, Kominfo)."""

    agreement_id: str
    scheduled_at: datetime
    mode: str
    venue: str | None
    principal: Principal
    attendees: tuple[str, ...] = ()


@dataclass(frozen=True)
class SignAgreement:
    """``region_number`` and ``ministry_number`` are each party's own register number of the agreement;
    ``attendees`` who was present besides the signatories (e.g. 'Kepala Bappeda')."""

    agreement_id: str
    signed_at: datetime
    signatories: tuple[SignatoryInput, ...]
    principal: Principal
    term_days: int
    region_number: str | None = None
    ministry_number: str | None = None
    attendees: tuple[str, ...] = ()


@dataclass(frozen=True)
class TerminateAgreement:
    agreement_id: str
    reason: str
    principal: Principal


@dataclass(frozen=True)
class ExpireLapsedAgreements:
    """Run by the scheduler; the clock of the unit of work says what has lapsed."""


@dataclass(frozen=True)
class ScheduleCeremony:
    agreement_ids: tuple[str, ...]
    scheduled_at: datetime
    mode: str
    venue: str | None
    principal: Principal
    attendees: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegionSigning:
    """One agreement of a ceremony: its region's own signatories and the particulars of its signing."""

    agreement_id: str
    signatories: tuple[SignatoryInput, ...]
    region_number: str | None = None
    ministry_number: str | None = None
    attendees: tuple[str, ...] = ()


@dataclass(frozen=True)
class SignCeremony:
    """``signatories`` (the ministry's) sign every agreement; each of ``agreements`` is one region's own
    signing. A sequence, not a mapping, so an id listed twice is refused, not merged."""

    signed_at: datetime
    signatories: tuple[SignatoryInput, ...]
    agreements: tuple[RegionSigning, ...]
    principal: Principal
    term_days: int


@dataclass(frozen=True)
class UploadDocument:
    """``filename`` is the uploader's name already made safe for a download header, or empty for the
    default; ``content`` may hold one byte past ``max_bytes``, enough to refuse it as too large."""

    agreement_id: str
    filename: str | None
    content: bytes
    principal: Principal
    max_bytes: int
