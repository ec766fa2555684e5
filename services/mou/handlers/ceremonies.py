"""Signing ceremonies: many agreements scheduled or signed in one session, all of them or none."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from services.mou import domain
from services.mou.commands import ScheduleAgreement, ScheduleCeremony, SignAgreement, SignCeremony
from services.mou.handlers.agreements import schedule_agreement, sign_agreement
from services.mou.orm import Agreement
from shared.errors import CerdasError, Conflict, Invalid, NotFound
from shared.uow import UnitOfWork


def _all_or_nothing(
    uow: UnitOfWork, agreement_ids: Sequence[str], step: Callable[[str], Agreement], verb: str
) -> list[Agreement]:
    """Apply ``step`` to every agreement and collect every refusal, so the operator sees the whole list
    at once. One refusal raises, so the caller's unit of work ends without a commit: nothing is written
    for any of them and no event leaves."""
    domain.check_unique_ids(agreement_ids)
    done: list[Agreement] = []
    failures: list[domain.BatchFailure] = []
    for agreement_id in agreement_ids:
        # Each step checks everything before it writes, so a refused agreement leaves nothing behind
        # and the next one can still be checked in the same transaction.
        try:
            done.append(step(agreement_id))
        except CerdasError as exc:
            agreement = uow.session.get(Agreement, agreement_id)
            failures.append(
                domain.BatchFailure(
                    agreement_id=agreement_id,
                    number=agreement.number if agreement is not None else None,
                    status=exc.status,
                    detail=exc.detail,
                    current_state=agreement.status if agreement is not None else None,
                )
            )
    if failures:
        _refuse(failures, len(agreement_ids), verb)
    return done


def _refuse(failures: list[domain.BatchFailure], total: int, verb: str) -> None:
    listed = "; ".join(f"{f.number or f.agreement_id}: {f.detail}" for f in failures)
    detail = f"{len(failures)} of {total} agreements cannot be {verb}, so none was: {listed}"
    extra = {
        "failures": [
            {
                "agreement_id": f.agreement_id,
                "number": f.number,
                "status": f.status,
                "current_state": f.current_state,
                "detail": f.detail,
            }
            for f in failures
        ]
    }
    statuses = {f.status for f in failures}
    # The most telling status wins: a state clash first, then an unknown id, then bad input.
    if 409 in statuses:
        raise Conflict(detail, **extra)
    if statuses == {404}:
        raise NotFound(detail, **extra)
    raise Invalid(detail, **extra)


def schedule_ceremony(uow: UnitOfWork, command: ScheduleCeremony) -> list[Agreement]:
    """One session for many agreements; each gets its own ``mou.scheduled`` (and calendar invite)."""
    return _all_or_nothing(
        uow,
        command.agreement_ids,
        lambda agreement_id: schedule_agreement(
            uow,
            ScheduleAgreement(
                agreement_id, command.scheduled_at, command.mode, command.venue, command.principal, command.attendees
            ),
        ),
        "scheduled",
    )


def sign_ceremony(uow: UnitOfWork, command: SignCeremony) -> list[Agreement]:
    """The ministry's signatory signs every agreement; each region's own signatories sign theirs. Each
    agreement publishes its own ``mou.signed``."""
    own = {item.agreement_id: item for item in command.agreements}
    return _all_or_nothing(
        uow,
        [item.agreement_id for item in command.agreements],
        lambda agreement_id: sign_agreement(
            uow,
            SignAgreement(
                agreement_id,
                command.signed_at,
                (*own[agreement_id].signatories, *command.signatories),
                command.principal,
                command.term_days,
                own[agreement_id].region_number,
                own[agreement_id].ministry_number,
                own[agreement_id].attendees,
            ),
        ),
        "signed",
    )
