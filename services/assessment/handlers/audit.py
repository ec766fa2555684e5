"""The cohort's audit trail: who opened, changed and selected it, when, why, and from which request."""

from __future__ import annotations

from typing import Any

from services.assessment.orm import AuditEntry
from shared.auth import Principal
from shared.logging import current_correlation_id
from shared.uow import UnitOfWork


def audit(uow: UnitOfWork, cohort_year: int, actor: Principal | None, action: str, **details: Any) -> None:
    """One row, written in the same transaction as the change it describes."""
    uow.session.add(
        AuditEntry(
            cohort_year=cohort_year,
            at=uow.clock.now(),
            actor=actor.sub if actor is not None else "system",
            action=action,
            details=details,
            correlation_id=current_correlation_id(),
        )
    )
