"""MoU (Nota Kesepakatan) rules: the agreement's states, who signs, and when signing is allowed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from shared.clock import MINISTRY_ZONE
from shared.errors import Conflict, Invalid, PayloadTooLarge

DRAFT, SCHEDULED, SIGNED, EXPIRED, TERMINATED = "draft", "scheduled", "signed", "expired", "terminated"
STATES = (DRAFT, SCHEDULED, SIGNED, EXPIRED, TERMINATED)
TRANSITIONS: dict[str, tuple[str, ...]] = {
    DRAFT: (SCHEDULED, SIGNED, TERMINATED),
    SCHEDULED: (SCHEDULED, SIGNED, TERMINATED),
    SIGNED: (EXPIRED, TERMINATED),
    EXPIRED: (),
    TERMINATED: (),
}
# A selection drafts the agreement; the signing deadline stays open exactly while it may still be signed.
INITIAL = DRAFT
SIGNABLE = (DRAFT, SCHEDULED)
# Kominfo prepares the signing; if it slips, the reminder policy escalates to the Sekda and the head of region.
SIGNING_AUDIENCE = ("kominfo_head",)


def may_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, ())


def check_transition(current: str, target: str, agreement: str = "agreement") -> None:
    if not may_move(current, target):
        raise Conflict(
            f"{agreement} is {current}; it cannot become {target}",
            current_state=current,
            allowed=list(TRANSITIONS.get(current, ())),
        )


def states_that_may_become(target: str) -> tuple[str, ...]:
    return tuple(state for state, targets in TRANSITIONS.items() if target in targets)


def signing_reminders(scheduled: bool) -> Literal["standard", "day_before"]:
    """Before a ceremony is set, the region is reminded and escalated as any deadline; once the ministry
    has set the ceremony, the signing is on the ministry's day: one reminder the day before, and nobody is
    escalated for a signing the ministry itself scheduled."""
    return "day_before" if scheduled else "standard"


def opens_signing_deadline(state: str) -> bool:
    """Whether an agreement that starts in ``state`` awaits its signing, so reminders should run."""
    return state in SIGNABLE


def closes_signing_deadline(current: str, target: str) -> Literal["met", "cancelled"] | None:
    """What a move does to the signing deadline: signing meets it, ending the agreement unsigned cancels it,
    and a move that leaves the agreement signable (or was already past signing) leaves it alone."""
    if current not in SIGNABLE or target in SIGNABLE:
        return None
    return "met" if target == SIGNED else "cancelled"


def has_lapsed(valid_until: date, today: date) -> bool:
    """The last day of the term is still valid; the agreement lapses the day after, in the region's calendar."""
    return valid_until < today


def agreement_number(cohort_year: int, sequence: int) -> str:
    """Register number per cohort, e.g. 'NK-2023/007'."""
    return f"NK-{cohort_year}/{sequence:03d}"


def signing_deadline(selected_on: date, days: int) -> date:
    return selected_on + timedelta(days=days)


def valid_until(signed_on: date, term_days: int) -> date:
    return signed_on + timedelta(days=term_days)


@dataclass(frozen=True)
class SignatoryInput:
    party: str
    name: str
    position: str
    acting: str | None = None
    on_behalf_of: str | None = None
    title: str | None = None


def check_signatories(signatories: Sequence[SignatoryInput]) -> None:
    """Both parties sign: the region (its head, or a representative on their behalf) and the ministry."""
    parties = {s.party for s in signatories}
    for party in ("region", "ministry"):
        if party not in parties:
            raise Invalid(f"a {party} signatory is required", field="signatories")
    for index, signatory in enumerate(signatories):
        if signatory.on_behalf_of is not None and not signatory.on_behalf_of.strip():
            raise Invalid(
                "on_behalf_of, when given, names whom the signatory represents",
                field=f"signatories[{index}].on_behalf_of",
            )


def check_signed_at(signed_at: datetime, now: datetime, created_at: datetime) -> None:
    if signed_at > now:
        raise Invalid("signed_at may not be in the future", field="signed_at")
    if signed_at < created_at:
        raise Invalid(
            f"signed_at may not be before the agreement existed ({created_at.isoformat()})", field="signed_at"
        )


def signing_at(when: datetime) -> datetime:
    """A ceremony is one instant for every region that joins it: an aware time as given, or a wall-clock
    time without an offset read in the ministry's zone (WIB), which convenes it."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(MINISTRY_ZONE))
    return when.astimezone(UTC)


def same_appointment(
    status: str, current: tuple[datetime | None, str | None, str | None], wanted: tuple[datetime, str, str | None]
) -> bool:
    """A schedule request that repeats the appointment already made changes nothing and invites no one again."""
    return status == SCHEDULED and current == wanted


def check_schedule(scheduled_at: datetime, now: datetime, mode: str, venue: str | None) -> None:
    """An invitation goes out for it, so the ceremony lies ahead and says where to join."""
    if scheduled_at < now:
        raise Invalid("scheduled_at must not be in the past", field="scheduled_at")
    if mode == "offline" and not venue:
        raise Invalid("an offline signing needs a venue", field="venue")
    if mode == "online" and venue is not None and not venue.startswith(("https://", "http://")):
        raise Invalid("an online signing's venue is the meeting link (http or https)", field="venue")


def check_termination(current: str, reason: str, agreement: str = "agreement") -> None:
    check_transition(current, "terminated", agreement)
    if len(reason.strip()) < 5:
        raise Invalid("say why the agreement is terminated (at least 5 characters)", field="reason")


@dataclass(frozen=True)
class BatchFailure:
    """Why one agreement of a ceremony could not take part; the whole ceremony is refused with the list."""

    agreement_id: str
    number: str | None
    status: int
    detail: str
    current_state: str | None = None


def check_unique_ids(agreement_ids: Sequence[str]) -> None:
    seen: set[str] = set()
    for index, agreement_id in enumerate(agreement_ids):
        if agreement_id in seen:
            raise Invalid(f"agreement {agreement_id} is listed twice", field=f"agreements[{index}]")
        seen.add(agreement_id)


# --- the signed document --------------------------------------------------------------------


def check_document_upload(status: str, signed_at: datetime | None, agreement: str = "agreement") -> None:
    """The document is the signed agreement, so it follows the signing (and outlives expiry or termination)."""
    if signed_at is None:
        raise Conflict(
            f"{agreement} is {status}; upload the signed document once it is signed",
            current_state=status,
        )


def document_filename(safe_name: str | None, number: str) -> str:
    """The name a download offers: the uploader's own, or one made from the agreement number."""
    return (safe_name or f"{number.replace('/', '-')}.pdf")[:200]


PDF_MAGIC = b"%PDF-"
PDF_VERSIONS = (b"1.0", b"1.1", b"1.2", b"1.3", b"1.4", b"1.5", b"1.6", b"1.7", b"2.0")
# Scanners and signing tools append a few bytes after %%EOF; the trailer sits in the last kilobyte.
PDF_TAIL_WINDOW = 1024


def check_pdf(content: bytes, max_bytes: int) -> None:
    """Enough structure to be sure an upload is a PDF and not a renamed file: the header, at least one
    indirect object, a cross-reference pointer and the end-of-file marker."""
    if len(content) > max_bytes:
        raise PayloadTooLarge(f"the document is {len(content)} bytes; the limit is {max_bytes} bytes", limit=max_bytes)
    if not content:
        raise Invalid("the document is empty", field="file")
    if not content.startswith(PDF_MAGIC):
        raise Invalid("the document is not a PDF (it does not start with %PDF-)", field="file")
    if content[5:8] not in PDF_VERSIONS:
        raise Invalid("the document's PDF header names no known PDF version", field="file")
    tail = content[-PDF_TAIL_WINDOW:]
    if b"%%EOF" not in tail:
        raise Invalid("the PDF is truncated: it has no %%EOF marker at its end", field="file")
    if b"startxref" not in tail:
        raise Invalid("the PDF has no cross-reference pointer (startxref)", field="file")
    if re.search(rb"\d+\s+\d+\s+obj\b", content) is None or b"endobj" not in content:
        raise Invalid("the PDF contains no objects", field="file")
