"""Agreement use cases: draft on selection, schedule, sign, terminate, expire; each recorded with its events."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from sqlalchemy import select

from services.mou import domain
from services.mou.commands import (
    DraftAgreement,
    ExpireLapsedAgreements,
    ScheduleAgreement,
    SignAgreement,
    TerminateAgreement,
)
from services.mou.orm import Agreement, AuditEntry, NumberRegister, Signatory
from services.mou.views import get_agreement
from shared import events
from shared.clock import end_of_local_day, local_date
from shared.deadlines import DeadlineSpec, clear_deadline, set_deadline
from shared.logging import current_correlation_id
from shared.uow import UnitOfWork


def audit(uow: UnitOfWork, agreement: Agreement, actor: str, action: str, **details: Any) -> None:
    """One row of the agreement's audit trail, written in the same transaction as the change it describes."""
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


def _label(agreement: Agreement) -> str:
    return f"agreement {agreement.number}"


def _next_number(uow: UnitOfWork, cohort_year: int) -> str:
    register = uow.session.execute(
        select(NumberRegister).where(NumberRegister.cohort_year == cohort_year).with_for_update()
    ).scalar_one_or_none()
    if register is None:
        register = NumberRegister(cohort_year=cohort_year, last_sequence=0)
        uow.session.add(register)
    register.last_sequence += 1
    return domain.agreement_number(cohort_year, register.last_sequence)


def _signing_deadline(agreement: Agreement) -> DeadlineSpec:
    return DeadlineSpec(
        deadline_id=events.signing_deadline_id(agreement.id),
        region_code=agreement.region_code,
        region_name=agreement.region_name,
        timezone=agreement.timezone,
        kind="mou_signing",
        title=f"Penandatanganan Nota Kesepakatan {agreement.number}",
        due_at=end_of_local_day(agreement.sign_by, agreement.timezone),
        audience=domain.SIGNING_AUDIENCE,
        reminders=domain.signing_reminders(agreement.scheduled_at is not None),
    )


def _close_signing_deadline(uow: UnitOfWork, agreement: Agreement, previous: str) -> None:
    reason = domain.closes_signing_deadline(previous, agreement.status)
    if reason is not None:
        clear_deadline(uow, events.signing_deadline_id(agreement.id), agreement.region_code, reason)


def draft_agreement(uow: UnitOfWork, command: DraftAgreement) -> Agreement | None:
    """Exactly one agreement per region and cohort, however often the selection arrives."""
    existing = uow.session.scalar(
        select(Agreement).where(
            Agreement.cohort_year == command.cohort_year, Agreement.region_code == command.region_code
        )
    )
    if existing is not None:
        return None
    now = uow.clock.now()
    sign_by = domain.signing_deadline(local_date(command.selected_at, command.timezone), command.signing_days)
    agreement = Agreement(
        id=str(uuid.uuid4()),
        number=_next_number(uow, command.cohort_year),
        cohort_year=command.cohort_year,
        region_code=command.region_code,
        region_name=command.region_name,
        timezone=command.timezone,
        status=domain.INITIAL,
        sign_by=sign_by,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(agreement)
    uow.session.flush()
    audit(uow, agreement, f"event:{command.event_type}", "drafted", event_id=command.event_id)
    uow.record(
        "mou.drafted",
        command.region_code,
        events.MouDraftedV1(
            agreement_id=agreement.id,
            number=agreement.number,
            cohort_year=command.cohort_year,
            region_code=command.region_code,
            region_name=command.region_name,
            timezone=command.timezone,
            sign_by=sign_by,
        ),
    )
    if domain.opens_signing_deadline(agreement.status):
        set_deadline(uow, _signing_deadline(agreement))
    return agreement


def schedule_agreement(uow: UnitOfWork, command: ScheduleAgreement) -> Agreement:
    """Fix the signing ceremony, online or offline; moving it again is a new ``mou.scheduled``."""
    agreement = get_agreement(uow, command.agreement_id, for_update=True)
    when = domain.signing_at(command.scheduled_at)
    invited = sorted(set(command.attendees))
    current = (agreement.scheduled_at, agreement.mode, agreement.venue)
    wanted = (when, command.mode, command.venue)
    if domain.same_appointment(agreement.status, current, wanted) and agreement.invited == invited:
        return agreement
    domain.check_transition(agreement.status, domain.SCHEDULED, _label(agreement))
    domain.check_schedule(when, uow.clock.now(), command.mode, command.venue)
    agreement.status = domain.SCHEDULED
    agreement.scheduled_at = when
    agreement.mode = command.mode
    agreement.venue = command.venue
    agreement.invited = invited
    agreement.appointments = (agreement.appointments or 0) + 1
    # The ceremony is the signing deadline now: the region signs on the day the ministry set, wherever the
    # thirty days after selection fell, so nobody is reminded or escalated for another date.
    agreement.sign_by = local_date(when, agreement.timezone)
    agreement.updated_at = uow.clock.now()
    audit(
        uow,
        agreement,
        command.principal.sub,
        "scheduled",
        scheduled_at=when.isoformat(),
        mode=command.mode,
        venue=command.venue,
    )
    uow.record(
        "mou.scheduled",
        agreement.region_code,
        events.MouScheduledV1(
            agreement_id=agreement.id,
            region_code=agreement.region_code,
            timezone=agreement.timezone,
            scheduled_at=when,
            mode=command.mode,  # type: ignore[arg-type]
            venue=command.venue,
            deadline_id=events.signing_deadline_id(agreement.id),
            region_name=agreement.region_name,
            sequence=agreement.appointments,
            attendees=invited,
        ),
    )
    set_deadline(uow, _signing_deadline(agreement))
    return agreement


def sign_agreement(uow: UnitOfWork, command: SignAgreement) -> Agreement:
    """Both parties sign; the term runs from the signing date in the region's own calendar."""
    agreement = get_agreement(uow, command.agreement_id, for_update=True)
    previous = agreement.status
    domain.check_transition(previous, domain.SIGNED, _label(agreement))
    domain.check_signatories(command.signatories)
    domain.check_signed_at(command.signed_at, uow.clock.now(), agreement.created_at)
    agreement.status = domain.SIGNED
    agreement.signed_at = command.signed_at
    agreement.valid_until = domain.valid_until(local_date(command.signed_at, agreement.timezone), command.term_days)
    agreement.region_number = command.region_number
    agreement.ministry_number = command.ministry_number
    agreement.attendees = list(command.attendees)
    agreement.updated_at = uow.clock.now()
    for signatory in command.signatories:
        uow.session.add(Signatory(agreement_id=agreement.id, **asdict(signatory)))
    audit(
        uow,
        agreement,
        command.principal.sub,
        "signed",
        signed_at=command.signed_at.isoformat(),
        signatories=[
            {"party": s.party, "name": s.name, "position": s.position, "on_behalf_of": s.on_behalf_of}
            for s in command.signatories
        ],
        region_number=command.region_number,
        ministry_number=command.ministry_number,
        attendees=list(command.attendees),
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
            signed_at=command.signed_at,
            signatories=[events.Signatory(**asdict(s)) for s in command.signatories],
            region_number=command.region_number,
            ministry_number=command.ministry_number,
            attendees=list(command.attendees),
        ),
    )
    _close_signing_deadline(uow, agreement, previous)
    return agreement


def terminate_agreement(uow: UnitOfWork, command: TerminateAgreement) -> Agreement:
    """End an agreement early; an unsigned one also takes its signing deadline away from the reminders."""
    agreement = get_agreement(uow, command.agreement_id, for_update=True)
    previous = agreement.status
    domain.check_termination(previous, command.reason, _label(agreement))
    agreement.status = domain.TERMINATED
    agreement.terminated_reason = command.reason
    agreement.updated_at = uow.clock.now()
    audit(uow, agreement, command.principal.sub, "terminated", reason=command.reason)
    uow.record(
        "mou.terminated",
        agreement.region_code,
        events.MouTerminatedV1(agreement_id=agreement.id, region_code=agreement.region_code, reason=command.reason),
    )
    _close_signing_deadline(uow, agreement, previous)
    return agreement


def expire_lapsed_agreements(uow: UnitOfWork, command: ExpireLapsedAgreements) -> list[str]:
    """Agreements whose term has run out (in the region's own calendar) become expired; returns their ids."""
    now = uow.clock.now()
    expired = []
    for agreement in uow.session.scalars(
        select(Agreement)
        .where(
            Agreement.status.in_(domain.states_that_may_become(domain.EXPIRED)),
            Agreement.valid_until.is_not(None),
        )
        .with_for_update()
    ):
        valid_until = agreement.valid_until
        if valid_until is None or not domain.has_lapsed(valid_until, local_date(now, agreement.timezone)):
            continue
        domain.check_transition(agreement.status, domain.EXPIRED, _label(agreement))
        agreement.status = domain.EXPIRED
        agreement.updated_at = now
        audit(uow, agreement, "system", "expired", valid_until=valid_until.isoformat())
        uow.record(
            "mou.expired",
            agreement.region_code,
            events.MouExpiredV1(agreement_id=agreement.id, region_code=agreement.region_code, expired_on=valid_until),
        )
        expired.append(agreement.id)
    return expired
