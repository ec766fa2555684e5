"""Routes for one agreement: read, schedule, sign, terminate and its audit trail."""

from __future__ import annotations

from flask import Response, jsonify

from services.mou import handlers, views
from services.mou.api.common import READERS, agreement_json, agreements_tag, api
from services.mou.commands import ScheduleAgreement, SignAgreement, TerminateAgreement
from services.mou.domain import SignatoryInput
from services.mou.schemas import (
    AgreementList,
    AgreementOut,
    AgreementPath,
    AgreementQuery,
    AuditTrail,
    ScheduleIn,
    SignIn,
    TerminateIn,
)
from shared.web import current_principal, requires, runtime_of


@api.get(
    "/agreements",
    tags=[agreements_tag],
    responses={200: AgreementList},
    summary="Agreements, filtered by cohort, status and region",
)
@requires(*READERS)
def list_agreements(query: AgreementQuery) -> Response:
    with runtime_of().uow() as uow:
        agreements = views.list_agreements(uow, query.cohort, query.status, query.region, current_principal())
        return jsonify(items=[agreement_json(uow, a) for a in agreements], total=len(agreements))


@api.get(
    "/agreements/<agreement_id>",
    tags=[agreements_tag],
    responses={200: AgreementOut},
    summary="One agreement with its signatories",
)
@requires(*READERS)
def get_agreement(path: AgreementPath) -> Response:
    with runtime_of().uow() as uow:
        return jsonify(agreement_json(uow, views.get_agreement(uow, path.agreement_id, current_principal())))


@api.post(
    "/agreements/<agreement_id>/schedule",
    tags=[agreements_tag],
    responses={200: AgreementOut},
    summary="Schedule the signing (online or offline); publishes mou.scheduled",
)
@requires("operator")
def schedule(path: AgreementPath, body: ScheduleIn) -> Response:
    command = ScheduleAgreement(
        path.agreement_id, body.scheduled_at, body.mode, body.venue, current_principal(), tuple(body.attendees)
    )
    with runtime_of().uow() as uow:
        agreement = handlers.schedule_agreement(uow, command)
        uow.commit()
        return jsonify(agreement_json(uow, agreement))


@api.post(
    "/agreements/<agreement_id>/sign",
    tags=[agreements_tag],
    responses={200: AgreementOut},
    summary="Record the signing; publishes mou.signed",
)
@requires("operator")
def sign(path: AgreementPath, body: SignIn) -> Response:
    runtime = runtime_of()
    command = SignAgreement(
        path.agreement_id,
        body.signed_at,
        tuple(SignatoryInput(**s.model_dump()) for s in body.signatories),
        current_principal(),
        runtime.settings.mou.term_days,
        body.region_number,
        body.ministry_number,
        tuple(body.attendees),
    )
    with runtime.uow() as uow:
        agreement = handlers.sign_agreement(uow, command)
        uow.commit()
        return jsonify(agreement_json(uow, agreement))


@api.post(
    "/agreements/<agreement_id>/terminate",
    tags=[agreements_tag],
    responses={200: AgreementOut},
    summary="End the agreement early, with a reason; publishes mou.terminated",
)
@requires("operator")
def terminate(path: AgreementPath, body: TerminateIn) -> Response:
    command = TerminateAgreement(path.agreement_id, body.reason, current_principal())
    with runtime_of().uow() as uow:
        agreement = handlers.terminate_agreement(uow, command)
        uow.commit()
        return jsonify(agreement_json(uow, agreement))


@api.get(
    "/agreements/<agreement_id>/audit",
    tags=[agreements_tag],
    responses={200: AuditTrail},
    summary="Who did what to the agreement, when, and from which request",
)
@requires("operator", "assessor", "region")
def audit_trail(path: AgreementPath) -> Response:
    with runtime_of().uow() as uow:
        entries = views.audit_trail(uow, path.agreement_id, current_principal())
        return jsonify(
            AuditTrail(
                agreement_id=path.agreement_id,
                items=[
                    {
                        "at": e.at,
                        "actor": e.actor,
                        "action": e.action,
                        "details": e.details,
                        "correlation_id": e.correlation_id,
                    }
                    for e in entries
                ],
            ).model_dump(mode="json")
        )
