"""MoU (Nota Kesepakatan) rules: the agreement's states, who signs, and when signing is allowed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shared.errors import Conflict, Invalid

STATES = ("draft", "scheduled", "signed", "expired", "terminated")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("scheduled", "signed", "terminated"),
    "scheduled": ("scheduled", "signed", "terminated"),
    "signed": ("expired", "terminated"),
    "expired": (),
    "terminated": (),
}
SIGNABLE = ("draft", "scheduled")


def check_transition(current: str, target: str, agreement: str = "agreement") -> None:
    if target not in TRANSITIONS.get(current, ()):
        raise Conflict(
            f"{agreement} is {current}; it cannot become {target}",
            current_state=current,
            allowed=list(TRANSITIONS.get(current, ())),
        )


def agreement_number(cohort_year: int, sequence: int) -> str:
    """Register number per cohort, e.g. 'NK-2023/007'."""
    return f"NK-{cohort_year}/{sequence:03d}"


def signing_deadline(selected_on: date, days: int) -> date:
    return selected_on + timedelta(days=days)


@dataclass(frozen=True)
class SignatoryInput:
    party: str
    name: str
    position: str
    acting: str | None = None
    on_behalf_of: str | None = None


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
