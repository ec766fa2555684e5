"""Thin HTTP routes of the MoU service."""

from __future__ import annotations

from flask import Response, jsonify
from flask_openapi3 import APIBlueprint, Tag

from services.mou import handlers
from services.mou.orm import Agreement
from services.mou.schemas import AgreementList, AgreementOut, AgreementPath, AgreementQuery, ScheduleIn, SignIn
from shared.uow import UnitOfWork
from shared.web import BEARER, current_principal, requires, runtime_of

agreements_tag = Tag(name="agreements", description="MoU (Nota Kesepakatan) agreements: scheduling and signing")
api = APIBlueprint("mou", __name__, abp_security=BEARER)


def agreement_json(uow: UnitOfWork, agreement: Agreement) -> dict:
    signatories = handlers.signatories_of(uow, agreement.id)
    return AgreementOut(
        id=agreement.id,
        number=agreement.number,
        cohort_year=agreement.cohort_year,
        region_code=agreement.region_code,
        region_name=agreement.region_name,
        timezone=agreement.timezone,
        status=agreement.status,
        sign_by=agreement.sign_by,
        scheduled_at=agreement.scheduled_at,
        mode=agreement.mode,
        venue=agreement.venue,
        signed_at=agreement.signed_at,
        valid_until=agreement.valid_until,
        signatories=[
            {
                "party": s.party,
                "name": s.name,
                "position": s.position,
                "acting": s.acting,
                "on_behalf_of": s.on_behalf_of,
            }
            for s in signatories
        ],
    ).model_dump(mode="json")


@api.get(
    "/agreements",
    tags=[agreements_tag],
    responses={200: AgreementList},
    summary="Agreements, filtered by cohort, status and region",
)
@requires("operator", "assessor", "mentor", "service", "region")
def list_agreements(query: AgreementQuery) -> Response:
    with runtime_of().uow() as uow:
        agreements = handlers.list_agreements(uow, query.cohort, query.status, query.region, current_principal())
        return jsonify(items=[agreement_json(uow, a) for a in agreements], total=len(agreements))


@api.get(
    "/agreements/<agreement_id>",
    tags=[agreements_tag],
    responses={200: AgreementOut},
    summary="One agreement with its signatories",
)
@requires("operator", "assessor", "mentor", "service", "region")
def get_agreement(path: AgreementPath) -> Response:
    with runtime_of().uow() as uow:
        return jsonify(agreement_json(uow, handlers.get_agreement(uow, path.agreement_id, current_principal())))


@api.post(
    "/agreements/<agreement_id>/schedule",
    tags=[agreements_tag],
    responses={200: AgreementOut},
    summary="Schedule the signing (online or offline)",
)
@requires("operator")
def schedule(path: AgreementPath, body: ScheduleIn) -> Response:
    with runtime_of().uow() as uow:
        agreement = handlers.schedule(uow, path.agreement_id, body, current_principal())
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
    with runtime.uow() as uow:
        agreement = handlers.sign(uow, path.agreement_id, body, current_principal(), runtime.settings.mou_term_days)
        uow.commit()
        return jsonify(agreement_json(uow, agreement))
