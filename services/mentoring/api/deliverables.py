"""Routes for deliverables: a region hands in a file or link per milestone, a mentor reviews it."""

from __future__ import annotations

from flask import Response, jsonify, request, send_file
from werkzeug.datastructures import FileStorage as WerkzeugFileStorage

from services.mentoring import handlers, views
from services.mentoring.api.common import READERS, api, deliverables_tag, mentoring_runtime
from services.mentoring.commands import DeliverableFile, ReviewSubmission, SubmitDeliverable
from services.mentoring.schemas import (
    LinkSubmissionIn,
    MilestoneHistory,
    MilestonePath,
    ReviewIn,
    SubmissionForm,
    SubmissionOut,
    SubmissionPath,
)
from shared.errors import Invalid, PayloadTooLarge
from shared.storage import DocumentStore, display_name
from shared.web import current_principal, requires, runtime_of


def _store(uploads: DocumentStore, upload: WerkzeugFileStorage, max_mb: int) -> DeliverableFile:
    try:
        blob = uploads.put(upload.stream, max_mb * 1024 * 1024)
    except PayloadTooLarge:
        # The limit is set in MiB, so the answer names it in MiB.
        raise PayloadTooLarge(f"the file is larger than {max_mb} MiB") from None
    return DeliverableFile(
        filename=display_name(upload.filename, "deliverable"),
        content_type=upload.mimetype or None,
        size_bytes=blob.size,
        sha256=blob.sha256,
    )


@api.post(
    "/milestones/<milestone_id>/submissions",
    tags=[deliverables_tag],
    responses={201: SubmissionOut},
    summary="Hand in a deliverable: a file (multipart, stored with its SHA-256) or a link (form or JSON)",
)
@requires("region", "operator")
def submit(path: MilestonePath, form: SubmissionForm) -> tuple[Response, int]:
    runtime = mentoring_runtime()
    principal = current_principal()
    link, note, upload = (str(form.link) if form.link else None), form.note, form.file
    if request.is_json:
        body = LinkSubmissionIn.model_validate(request.get_json(silent=True))
        link, note, upload = str(body.link), body.note, None
    if upload is not None and not isinstance(upload, WerkzeugFileStorage):
        # A plain text field named "file" passes the form model; only a real upload will do.
        raise Invalid("file must be an uploaded file in a multipart/form-data body", field="file")
    with_file = upload is not None and bool(upload.filename)
    with runtime.uow() as uow:
        stored = None
        if with_file:
            # Asked before anything is written, so a refused hand-in leaves no file; the milestone
            # stays locked until the commit. A stored file is never deleted if the commit fails: the
            # same bytes may belong to another submission, and an unreferenced one is harmless.
            handlers.check_hand_in(uow, path.milestone_id, principal, link=link, with_file=True)
            stored = _store(runtime.uploads, upload, runtime.settings.mentoring.upload_max_mb)
        command = SubmitDeliverable(path.milestone_id, principal, link=link, file=stored, note=note)
        submission = handlers.submit_deliverable(uow, command)
        uow.commit()
        return jsonify(views.submission_view(submission)), 201


@api.get(
    "/milestones/<milestone_id>/submissions",
    tags=[deliverables_tag],
    responses={200: MilestoneHistory},
    summary="A milestone's full history: every hand-in with its review and every move of its due date",
)
@requires(*READERS)
def history(path: MilestonePath) -> Response:
    with runtime_of().uow() as uow:
        return jsonify(views.milestone_history(uow, path.milestone_id, current_principal()))


@api.get(
    "/submissions/<submission_id>",
    tags=[deliverables_tag],
    responses={200: SubmissionOut},
    summary="One submission and its review",
)
@requires(*READERS)
def get_submission(path: SubmissionPath) -> Response:
    with runtime_of().uow() as uow:
        return jsonify(views.submission_view(views.get_submission(uow, path.submission_id, current_principal())))


@api.get(
    "/submissions/<submission_id>/file",
    tags=[deliverables_tag],
    summary="Download the file of a submission",
)
@requires(*READERS)
def download(path: SubmissionPath) -> Response:
    runtime = mentoring_runtime()
    with runtime.uow() as uow:
        stored, filename = views.submission_file(uow, path.submission_id, current_principal(), runtime.uploads)
    return send_file(stored, as_attachment=True, download_name=filename)


@api.post(
    "/submissions/<submission_id>/review",
    tags=[deliverables_tag],
    responses={200: SubmissionOut},
    summary="A mentor accepts a submission (clears the deadline) or asks for a revision with a new due date",
)
@requires("mentor")
def review(path: SubmissionPath, body: ReviewIn) -> Response:
    command = ReviewSubmission(path.submission_id, current_principal(), body.decision, body.comments, body.due_date)
    with runtime_of().uow() as uow:
        submission = handlers.review_submission(uow, command)
        uow.commit()
        return jsonify(views.submission_view(submission))
