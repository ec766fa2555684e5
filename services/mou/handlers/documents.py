"""The signed agreement document: checked, stored write-once with its SHA-256, versioned by amendment."""

from __future__ import annotations

import hashlib
import uuid

from services.mou import domain
from services.mou.commands import UploadDocument
from services.mou.handlers.agreements import audit
from services.mou.orm import Document
from services.mou.views import documents_of, get_agreement
from shared.storage import DocumentStore
from shared.uow import UnitOfWork


def upload_document(uow: UnitOfWork, command: UploadDocument, *, documents: DocumentStore) -> tuple[Document, bool]:
    """Add the next version of the signed document; ``False`` when it is the latest version already
    (a retried upload), so repeating a request never makes a second copy. The bytes reach ``documents``
    only once every check has passed, so a refused upload leaves no file behind."""
    agreement = get_agreement(uow, command.agreement_id, command.principal, for_update=True)
    domain.check_document_upload(agreement.status, agreement.signed_at, f"agreement {agreement.number}")
    domain.check_pdf(command.content, command.max_bytes)
    sha256 = hashlib.sha256(command.content).hexdigest()
    versions = documents_of(uow, agreement.id)
    if versions and versions[-1].sha256 == sha256:
        return versions[-1], False
    version = versions[-1].version + 1 if versions else 1
    key = documents.put_bytes(command.content).key
    document = Document(
        id=str(uuid.uuid4()),
        agreement_id=agreement.id,
        version=version,
        filename=domain.document_filename(command.filename, agreement.number),
        sha256=sha256,
        size=len(command.content),
        storage_path=key,
        uploaded_at=uow.clock.now(),
        uploaded_by=command.principal.sub,
    )
    uow.session.add(document)
    audit(
        uow,
        agreement,
        command.principal.sub,
        "document_uploaded" if version == 1 else "document_amended",
        version=version,
        sha256=sha256,
        size=len(command.content),
    )
    return document, True
