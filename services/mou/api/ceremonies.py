"""Routes for signing ceremonies: many agreements scheduled or signed in one call, all or nothing."""

from __future__ import annotations

from flask import Response, jsonify

from services.mou import handlers
from services.mou.api.common import agreement_json, api, ceremonies_tag
from services.mou.commands import RegionSigning, ScheduleCeremony, SignCeremony
from services.mou.domain import SignatoryInput
from services.mou.schemas import CeremonyOut, CeremonyScheduleIn, CeremonySignIn
from shared.web import current_principal, requires, runtime_of


@api.post(
    "/ceremonies/schedule",
    tags=[ceremonies_tag],
    responses={200: CeremonyOut},
    summary="Schedule many agreements into one signing session; none is scheduled if one cannot be",
)
@requires("operator")
def schedule_ceremony(body: CeremonyScheduleIn) -> Response:
    command = ScheduleCeremony(
        tuple(body.agreement_ids),
        body.scheduled_at,
        body.mode,
        body.venue,
        current_principal(),
        tuple(body.attendees),
    )
    with runtime_of().uow() as uow:
        agreements = handlers.schedule_ceremony(uow, command)
        uow.commit()
        return jsonify(items=[agreement_json(uow, a) for a in agreements], total=len(agreements))


@api.post(
    "/ceremonies/sign",
    tags=[ceremonies_tag],
    responses={200: CeremonyOut},
    summary="Sign many agreements in one session; each publishes mou.signed, and none is signed if one cannot be",
)
@requires("operator")
def sign_ceremony(body: CeremonySignIn) -> Response:
    runtime = runtime_of()
    command = SignCeremony(
        body.signed_at,
        tuple(SignatoryInput(**s.model_dump()) for s in body.signatories),
        tuple(
            RegionSigning(
                item.agreement_id,
                tuple(SignatoryInput(**s.model_dump()) for s in item.signatories),
                item.region_number,
                item.ministry_number,
                tuple(item.attendees),
            )
            for item in body.agreements
        ),
        current_principal(),
        runtime.settings.mou.term_days,
    )
    with runtime.uow() as uow:
        agreements = handlers.sign_ceremony(uow, command)
        uow.commit()
        return jsonify(items=[agreement_json(uow, a) for a in agreements], total=len(agreements))
