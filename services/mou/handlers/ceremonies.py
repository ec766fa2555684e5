"""Signing ceremonies: many agreements scheduled or signed in one session, all of them or none."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from services.mou import domain
from services.mou.handlers.agreements import schedule, sign
from services.mou.orm import Agreement
from shared.auth import Principal
from shared.errors import CerdasError, Conflict, Invalid, NotFound
from shared.uow import UnitOfWork


def _all_or_nothing(
    uow: UnitOfWork, agreement_ids: Sequence[str], step: Callable[[str], Agreement], verb: str
) -> list[Agreement]:
    """Apply ``step`` to every agreement and collect every refusal, so the operator sees the whole list
    at once; one refusal and the caller's unit of work is rolled back, no event leaves."""
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
        uow.rollback()
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


def schedule_ceremony(
    uow: UnitOfWork,
    agreement_ids: Sequence[str],
    scheduled_at: datetime,
    mode: str,
    venue: str | None,
    principal: Principal,
) -> list[Agreement]:
    """One session for many agreements; each gets its own ``mou.scheduled`` (and calendar invite)."""
    return _all_or_nothing(
        uow,
        agreement_ids,
        lambda agreement_id: schedule(uow, agreement_id, scheduled_at, mode, venue, principal),
        "scheduled",
    )


def sign_ceremony(
    uow: UnitOfWork,
    signed_at: datetime,
    shared_signatories: Sequence[domain.SignatoryInput],
    per_agreement: Sequence[tuple[str, Sequence[domain.SignatoryInput]]],
    principal: Principal,
    term_days: int,
) -> list[Agreement]:
    """The ministry's signatory signs every agreement; each region's own signatories sign theirs. Each
    agreement publishes its own ``mou.signed``."""
    signatories = dict(per_agreement)
    return _all_or_nothing(
        uow,
        [agreement_id for agreement_id, _ in per_agreement],
        lambda agreement_id: sign(
            uow, agreement_id, signed_at, [*signatories[agreement_id], *shared_signatories], principal, term_days
        ),
        "signed",
    )
