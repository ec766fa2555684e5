"""Routes for the signed agreement document: upload a version, list them, download one."""

from __future__ import annotations

from flask import Response, jsonify
from werkzeug.datastructures import FileStorage

from services.mou import handlers, views
from services.mou.api.common import api, document_json, documents_tag, mou_runtime
from services.mou.commands import UploadDocument
from services.mou.schemas import AgreementPath, DocumentForm, DocumentList, DocumentOut, DocumentPath
from shared.errors import Invalid
from shared.storage import display_name
from shared.web import current_principal, requires, runtime_of

DOWNLOAD = {
    "description": "the PDF",
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
}


@api.post(
    "/agreements/<agreement_id>/documents",
    tags=[documents_tag],
    responses={201: DocumentOut, 200: DocumentOut},
    summary="Upload the signed PDF (multipart field 'file'); a later upload is a new version, never a replacement",
)
@requires("operator", "region")
def upload_document(path: AgreementPath, form: DocumentForm) -> tuple[Response, int]:
    runtime = mou_runtime()
    limit = runtime.settings.mou.document_max_bytes
    if not isinstance(form.file, FileStorage):
        # `curl -F file=hello` sends a text field named "file": only a real upload will do.
        raise Invalid("file must be an uploaded file in a multipart/form-data body", field="file")
    # Read one byte past the limit: enough to know it is too large without holding more.
    content = form.file.stream.read(limit + 1)
    # The name only ever reaches a download's Content-Disposition (storage is by digest), made safe here.
    command = UploadDocument(
        path.agreement_id, display_name(form.file.filename, ""), content, current_principal(), limit
    )
    with runtime.uow() as uow:
        document, created = handlers.upload_document(uow, command, documents=runtime.documents)
        uow.commit()
        response = jsonify(document_json(document))
        response.headers["Location"] = document_json(document)["download"]
        return response, 201 if created else 200


@api.get(
    "/agreements/<agreement_id>/documents",
    tags=[documents_tag],
    responses={200: DocumentList},
    summary="Every version of the agreement's signed document, oldest first",
)
@requires("operator", "assessor", "mentor", "service", "region")
def list_documents(path: AgreementPath) -> Response:
    with runtime_of().uow() as uow:
        views.get_agreement(uow, path.agreement_id, current_principal())
        return jsonify(items=[document_json(d) for d in views.documents_of(uow, path.agreement_id)])


def _download(document_version: int | None, agreement_id: str) -> Response:
    runtime = mou_runtime()
    with runtime.uow() as uow:
        document = views.get_document(uow, agreement_id, document_version, current_principal())
        content = views.read_document(runtime.documents, document)
        response = Response(content, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'attachment; filename="{document.filename}"'
        response.headers["ETag"] = f'"{document.sha256}"'
        response.headers["X-Content-SHA256"] = document.sha256
        response.headers["Cache-Control"] = "private, max-age=0"
        return response


@api.get(
    "/agreements/<agreement_id>/documents/latest",
    tags=[documents_tag],
    responses={200: DOWNLOAD},
    summary="Download the latest version of the signed document",
)
@requires("operator", "assessor", "mentor", "service", "region")
def download_latest(path: AgreementPath) -> Response:
    return _download(None, path.agreement_id)


@api.get(
    "/agreements/<agreement_id>/documents/<int:version>",
    tags=[documents_tag],
    responses={200: DOWNLOAD},
    summary="Download one version of the signed document",
)
@requires("operator", "assessor", "mentor", "service", "region")
def download_version(path: DocumentPath) -> Response:
    return _download(path.version, path.agreement_id)
