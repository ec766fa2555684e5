"""The signed agreement document: checked, stored write-once with its SHA-256, versioned by amendment."""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import select
from werkzeug.utils import secure_filename

from services.mou import domain
from services.mou.handlers.agreements import audit, get_agreement
from services.mou.orm import Document
from shared.auth import Principal
from shared.errors import Conflict, NotFound
from shared.storage import DocumentStore
from shared.uow import UnitOfWork


def documents_of(uow: UnitOfWork, agreement_id: str) -> list[Document]:
    return list(
        uow.session.scalars(select(Document).where(Document.agreement_id == agreement_id).order_by(Document.version))
    )


def upload(
    uow: UnitOfWork,
    store: DocumentStore,
    agreement_id: str,
    filename: str | None,
    content: bytes,
    principal: Principal,
    max_bytes: int,
) -> tuple[Document, bool]:
    """Add the next version of the signed document; ``False`` when it is the latest version already
    (a retried upload), so repeating a request never makes a second copy."""
    agreement = get_agreement(uow, agreement_id, principal, for_update=True)
    if agreement.signed_at is None:
        raise Conflict(
            f"agreement {agreement.number} is {agreement.status}; upload the signed document once it is signed",
            current_state=agreement.status,
        )
    domain.check_pdf(content, max_bytes)
    sha256 = hashlib.sha256(content).hexdigest()
    versions = documents_of(uow, agreement.id)
    if versions and versions[-1].sha256 == sha256:
        return versions[-1], False
    version = versions[-1].version + 1 if versions else 1
    key = store.put_bytes(content).key
    document = Document(
        id=str(uuid.uuid4()),
        agreement_id=agreement.id,
        version=version,
        filename=(secure_filename(filename or "") or f"{agreement.number.replace('/', '-')}.pdf")[:200],
        sha256=sha256,
        size=len(content),
        storage_path=key,
        uploaded_at=uow.clock.now(),
        uploaded_by=principal.sub,
    )
    uow.session.add(document)
    audit(
        uow,
        agreement,
        principal.sub,
        "document_uploaded" if version == 1 else "document_amended",
        version=version,
        sha256=sha256,
        size=len(content),
    )
    return document, True


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
