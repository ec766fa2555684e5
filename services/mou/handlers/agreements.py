"""Agreement use cases: draft on selection, schedule, sign, terminate, expire; each recorded with its events."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from services.mou import domain
from services.mou.orm import Agreement, AuditEntry, NumberRegister, Signatory
from shared import events
from shared.auth import Principal, check_region
from shared.clock import end_of_local_day, local_date
from shared.errors import NotFound
from shared.logging import current_correlation_id
from shared.uow import UnitOfWork

# Kominfo prepares the signing; if it slips, the reminder policy escalates to the Sekda and the head of region.
SIGNING_AUDIENCE = ["kominfo_head"]


def audit(uow: UnitOfWork, agreement: Agreement, actor: str, action: str, **details: Any) -> None:
    uow.session.add(
        AuditEntry(
            agreement_id=agreement.id,
            at=uow.clock.now(),
            actor=actor,
            action=action,
            details=details,
            correlation_id=current_correlation_id(),
        )
    )


def _next_number(uow: UnitOfWork, cohort_year: int) -> str:
    register = uow.session.execute(
        select(NumberRegister).where(NumberRegister.cohort_year == cohort_year).with_for_update()
    ).scalar_one_or_none()
    if register is None:
        register = NumberRegister(cohort_year=cohort_year, last_sequence=0)
        uow.session.add(register)
    register.last_sequence += 1
    return domain.agreement_number(cohort_year, register.last_sequence)


def draft_for_selected_region(
    uow: UnitOfWork, envelope: events.Envelope, data: events.RegionSelectedV1, signing_days: int
) -> Agreement | None:
    """Exactly one agreement per region and cohort, however often the selection arrives."""
    existing = uow.session.scalar(
        select(Agreement).where(Agreement.cohort_year == data.cohort_year, Agreement.region_code == data.region_code)
    )
    if existing is not None:
        return None
    now = uow.clock.now()
    sign_by = domain.signing_deadline(local_date(envelope.occurred_at, data.timezone), signing_days)
    agreement = Agreement(
        id=str(uuid.uuid4()),
        number=_next_number(uow, data.cohort_year),
        cohort_year=data.cohort_year,
        region_code=data.region_code,
        region_name=data.region_name,
        timezone=data.timezone,
        status="draft",
        sign_by=sign_by,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(agreement)
    uow.session.flush()
    audit(uow, agreement, f"event:{envelope.type}", "drafted", event_id=str(envelope.id))
    uow.record(
        "mou.drafted",
        data.region_code,
        events.MouDraftedV1(
            agreement_id=agreement.id,
            number=agreement.number,
            cohort_year=data.cohort_year,
            region_code=data.region_code,
            region_name=data.region_name,
            timezone=data.timezone,
            sign_by=sign_by,
        ),
    )
    uow.record(
        "deadline.set",
        data.region_code,
        events.DeadlineSetV1(
            deadline_id=signing_deadline_id(agreement.id),
            region_code=data.region_code,
            region_name=data.region_name,
            timezone=data.timezone,
            kind="mou_signing",
            title=f"Penandatanganan Nota Kesepakatan {agreement.number}",
            due_at=end_of_local_day(sign_by, data.timezone),
            audience=SIGNING_AUDIENCE,
        ),
    )
    return agreement


def signing_deadline_id(agreement_id: str) -> str:
    return f"mou:signing:{agreement_id}"


def get_agreement(
    uow: UnitOfWork, agreement_id: str, principal: Principal | None = None, *, for_update: bool = False
) -> Agreement:
    agreement = uow.session.get(Agreement, agreement_id, with_for_update=for_update)
    if agreement is None:
        raise NotFound(f"no agreement with id {agreement_id!r}")
    if principal is not None:
        check_region(principal, agreement.region_code)
    return agreement


def list_agreements(
    uow: UnitOfWork, cohort: int | None, status: str | None, region: str | None, principal: Principal
) -> list[Agreement]:
    query = select(Agreement).order_by(Agreement.cohort_year, Agreement.number)
    if principal.role == "region":
        region = principal.region
    if cohort is not None:
        query = query.where(Agreement.cohort_year == cohort)
    if status:
        query = query.where(Agreement.status == status)
    if region:
        query = query.where(Agreement.region_code == region)
    return list(uow.session.scalars(query))


def signatories_of(uow: UnitOfWork, agreement_id: str) -> list[Signatory]:
    return list(
        uow.session.scalars(select(Signatory).where(Signatory.agreement_id == agreement_id).order_by(Signatory.id))
    )


def schedule(
    uow: UnitOfWork,
    agreement_id: str,
    scheduled_at: datetime,
    mode: str,
    venue: str | None,
    principal: Principal,
) -> Agreement:
    """Fix the signing ceremony; a naive ``scheduled_at`` is wall-clock time in the region's zone."""
    agreement = get_agreement(uow, agreement_id, for_update=True)
    domain.check_transition(agreement.status, "scheduled", f"agreement {agreement.number}")
    when = domain.signing_at(scheduled_at, agreement.timezone)
    domain.check_schedule(when, uow.clock.now(), mode, venue)
    agreement.status = "scheduled"
    agreement.scheduled_at = when
    agreement.mode = mode
    agreement.venue = venue
    agreement.updated_at = uow.clock.now()
    audit(uow, agreement, principal.sub, "scheduled", scheduled_at=when.isoformat(), mode=mode, venue=venue)
    uow.record(
        "mou.scheduled",
        agreement.region_code,
        events.MouScheduledV1(
            agreement_id=agreement.id,
            region_code=agreement.region_code,
            timezone=agreement.timezone,
            scheduled_at=when,
            mode=mode,  # type: ignore[arg-type]
            venue=venue,
            deadline_id=signing_deadline_id(agreement.id),
        ),
    )
    return agreement


def sign(
    uow: UnitOfWork,
    agreement_id: str,
    signed_at: datetime,
    signatories: Sequence[domain.SignatoryInput],
    principal: Principal,
    term_days: int,
) -> Agreement:
    agreement = get_agreement(uow, agreement_id, for_update=True)
    domain.check_transition(agreement.status, "signed", f"agreement {agreement.number}")
    domain.check_signatories(signatories)
    domain.check_signed_at(signed_at, uow.clock.now(), agreement.created_at)
    agreement.status = "signed"
    agreement.signed_at = signed_at
    agreement.valid_until = local_date(signed_at, agreement.timezone) + timedelta(days=term_days)
    agreement.updated_at = uow.clock.now()
    for signatory in signatories:
        uow.session.add(Signatory(agreement_id=agreement.id, **asdict(signatory)))
    audit(
        uow,
        agreement,
        principal.sub,
        "signed",
        signed_at=signed_at.isoformat(),
        signatories=[
            {"party": s.party, "name": s.name, "position": s.position, "on_behalf_of": s.on_behalf_of}
            for s in signatories
        ],
    )
    uow.record(
        "mou.signed",
        agreement.region_code,
        events.MouSignedV1(
            agreement_id=agreement.id,
            number=agreement.number,
            cohort_year=agreement.cohort_year,
            region_code=agreement.region_code,
            region_name=agreement.region_name,
            timezone=agreement.timezone,
            signed_at=signed_at,
            signatories=[events.Signatory(**asdict(s)) for s in signatories],
        ),
    )
    uow.record(
        "deadline.cleared",
        agreement.region_code,
        events.DeadlineClearedV1(
            deadline_id=signing_deadline_id(agreement.id), region_code=agreement.region_code, reason="met"
        ),
    )
    return agreement


def terminate(uow: UnitOfWork, agreement_id: str, reason: str, principal: Principal) -> Agreement:
    """End an agreement early; an unsigned one also takes its signing deadline away from the reminders."""
    agreement = get_agreement(uow, agreement_id, for_update=True)
    domain.check_termination(agreement.status, reason, f"agreement {agreement.number}")
    was_signed = agreement.status == "signed"
    agreement.status = "terminated"
    agreement.terminated_reason = reason
    agreement.updated_at = uow.clock.now()
    audit(uow, agreement, principal.sub, "terminated", reason=reason)
    uow.record(
        "mou.terminated",
        agreement.region_code,
        events.MouTerminatedV1(agreement_id=agreement.id, region_code=agreement.region_code, reason=reason),
    )
    if not was_signed:
        uow.record(
            "deadline.cleared",
            agreement.region_code,
            events.DeadlineClearedV1(
                deadline_id=signing_deadline_id(agreement.id), region_code=agreement.region_code, reason="cancelled"
            ),
        )
    return agreement


def audit_trail(uow: UnitOfWork, agreement_id: str, principal: Principal) -> list[AuditEntry]:
    get_agreement(uow, agreement_id, principal)
    return list(
        uow.session.scalars(
            select(AuditEntry).where(AuditEntry.agreement_id == agreement_id).order_by(AuditEntry.at, AuditEntry.id)
        )
    )


def expire_lapsed(uow: UnitOfWork) -> list[str]:
    """Signed agreements whose term has run out (in the region's own calendar) become expired."""
    now = uow.clock.now()
    expired = []
    for agreement in uow.session.scalars(
        select(Agreement).where(Agreement.status == "signed", Agreement.valid_until.is_not(None)).with_for_update()
    ):
        today = local_date(now, agreement.timezone)
        if agreement.valid_until is None or agreement.valid_until >= today:
            continue
        domain.check_transition(agreement.status, "expired", f"agreement {agreement.number}")
        agreement.status = "expired"
        agreement.updated_at = now
        audit(uow, agreement, "system", "expired", valid_until=agreement.valid_until.isoformat())
        uow.record(
            "mou.expired",
            agreement.region_code,
            events.MouExpiredV1(
                agreement_id=agreement.id, region_code=agreement.region_code, expired_on=agreement.valid_until
            ),
        )
        expired.append(agreement.id)
    return expired
