"""The MoU blueprint, its tags and the JSON shape of an agreement, shared by every route module."""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint, Tag

from services.mou import views
from services.mou.app import MouRuntime
from services.mou.orm import Agreement, Document
from services.mou.schemas import AgreementOut, DocumentOut
from shared.uow import UnitOfWork
from shared.web import BEARER, runtime_of

agreements_tag = Tag(name="agreements", description="MoU (Nota Kesepakatan) agreements: scheduling and signing")
ceremonies_tag = Tag(name="ceremonies", description="Many agreements scheduled or signed in one session")
documents_tag = Tag(name="documents", description="The signed agreement PDF, versioned and write-once")
TAGS = [agreements_tag, ceremonies_tag, documents_tag]
api = APIBlueprint("mou", __name__, abp_security=BEARER)
READERS = ("operator", "assessor", "mentor", "service", "region")


def mou_runtime() -> MouRuntime:
    """The runtime with its document store; ``create_app`` is only ever given a MouRuntime."""
    runtime = runtime_of()
    assert isinstance(runtime, MouRuntime)
    return runtime


def agreement_json(uow: UnitOfWork, agreement: Agreement) -> dict[str, Any]:
    signatories = views.signatories_of(uow, agreement.id)
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
        terminated_reason=agreement.terminated_reason,
        signatories=[
            {
                "party": s.party,
                "name": s.name,
                "position": s.position,
                "acting": s.acting,
                "on_behalf_of": s.on_behalf_of,
                "title": s.title,
            }
            for s in signatories
        ],
        attendees_invited=agreement.invited or [],
        region_number=agreement.region_number,
        ministry_number=agreement.ministry_number,
        attendees=agreement.attendees or [],
    ).model_dump(mode="json")


def document_json(document: Document) -> dict[str, Any]:
    return DocumentOut(
        id=document.id,
        agreement_id=document.agreement_id,
        version=document.version,
        filename=document.filename,
        sha256=document.sha256,
        size=document.size,
        uploaded_at=document.uploaded_at,
        uploaded_by=document.uploaded_by,
        download=f"/agreements/{document.agreement_id}/documents/{document.version}",
    ).model_dump(mode="json")
