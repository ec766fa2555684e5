"""Reads of the MoU service: agreements, their signatories, documents and audit trail; they change nothing."""

from __future__ import annotations

from sqlalchemy import select

from services.mou.orm import Agreement, AuditEntry, Document, Signatory
from shared.auth import Principal, check_region
from shared.errors import NotFound
from shared.storage import DocumentStore
from shared.uow import UnitOfWork


def get_agreement(
    uow: UnitOfWork, agreement_id: str, principal: Principal | None = None, *, for_update: bool = False
) -> Agreement:
    """``for_update`` locks the row for a use case about to change it, so simultaneous changes queue up."""
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


def audit_trail(uow: UnitOfWork, agreement_id: str, principal: Principal) -> list[AuditEntry]:
    get_agreement(uow, agreement_id, principal)
    return list(
        uow.session.scalars(
            select(AuditEntry).where(AuditEntry.agreement_id == agreement_id).order_by(AuditEntry.at, AuditEntry.id)
        )
    )


def documents_of(uow: UnitOfWork, agreement_id: str) -> list[Document]:
    return list(
        uow.session.scalars(select(Document).where(Document.agreement_id == agreement_id).order_by(Document.version))
    )


def get_document(uow: UnitOfWork, agreement_id: str, version: int | None, principal: Principal) -> Document:
    """One version, or the latest when ``version`` is None."""
    agreement = get_agreement(uow, agreement_id, principal)
    versions = documents_of(uow, agreement.id)
    if not versions:
        raise NotFound(f"agreement {agreement.number} has no document yet")
    if version is None:
        return versions[-1]
    for document in versions:
        if document.version == version:
            return document
    raise NotFound(f"agreement {agreement.number} has no document version {version}")


def read_document(store: DocumentStore, document: Document) -> bytes:
    """The stored bytes, refused if they no longer match the SHA-256 taken at upload."""
    return store.read(document.storage_path, document.sha256)
