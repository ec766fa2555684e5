"""The console's audit: one row per action taken through it, whatever the outcome."""

from __future__ import annotations

import uuid

from services.console import commands
from services.console.orm import AuditEntry
from services.console.uow import UnitOfWork


def outcome_of(status_code: int) -> str:
    if status_code < 400:
        return "ok"
    return "failed" if status_code >= 500 else "refused"


def record_action(uow: UnitOfWork, command: commands.RecordAction) -> AuditEntry:
    entry = AuditEntry(
        id=str(uuid.uuid4()),
        at=uow.clock.now(),
        actor=command.actor[:160],
        role=command.role,
        region_code=command.region,
        action=command.action[:80],
        method=command.method[:8],
        path=command.path[:500],
        status_code=command.status_code,
        outcome=outcome_of(command.status_code),
        correlation_id=command.correlation_id,
        details=dict(command.details),
    )
    uow.session.add(entry)
    return entry
