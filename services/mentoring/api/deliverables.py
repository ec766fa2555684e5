"""Routes for deliverables: a region hands in a file or link per milestone, a mentor reviews it."""

from __future__ import annotations

from flask import Response, jsonify, request, send_file
from werkzeug.datastructures import FileStorage as WerkzeugFileStorage

from services.mentoring import handlers
from services.mentoring.api.common import READERS, api, deliverables_tag
from services.mentoring.schemas import (
    LinkSubmissionIn,
    MilestoneHistory,
    MilestonePath,
    ReviewIn,
    SubmissionForm,
    SubmissionOut,
    SubmissionPath,
)
from shared.errors import Invalid
from shared.web import current_principal, requires, runtime_of


@api.post(
    "/milestones/<milestone_id>/submissions",
    tags=[deliverables_tag],
    responses={201: SubmissionOut},
    summary="Hand in a deliverable: a file (multipart, stored with its SHA-256) or a link (form or JSON)",
)
@requires("region", "operator")
def submit(path: MilestonePath, form: SubmissionForm) -> tuple[Response, int]:
    runtime = runtime_of()
    link, note, upload = (str(form.link) if form.link else None), form.note, form.file
    if request.is_json:
        body = LinkSubmissionIn.model_validate(request.get_json(silent=True))
        link, note, upload = str(body.link), body.note, None
    if upload is not None and not isinstance(upload, WerkzeugFileStorage):
        # A plain text field named "file" passes the form model; only a real upload will do.
        raise Invalid("file must be an uploaded file in a multipart/form-data body", field="file")
    store = None
    if upload is not None and upload.filename:
        settings = runtime.settings

        def store() -> handlers.StoredFile:
            return handlers.store_upload(
                upload.stream,
                upload.filename or "deliverable",
                upload.mimetype or None,
                settings.var_dir,
                settings.mentoring.upload_max_mb * 1024 * 1024,
            )

    with runtime.uow() as uow:
        submission = handlers.submit_deliverable(
            uow, path.milestone_id, current_principal(), link=link, store=store, note=note
        )
        try:
            uow.commit()
        except BaseException:
            if submission.sha256 is not None:
                (handlers.submissions_dir(runtime.settings.var_dir) / submission.id).unlink(missing_ok=True)
            raise
        return jsonify(handlers.submission_view(submission)), 201


@api.get(
    "/milestones/<milestone_id>/submissions",
    tags=[deliverables_tag],
    responses={200: MilestoneHistory},
    summary="A milestone's full history: every hand-in with its review and every move of its due date",
)
@requires(*READERS)
def history(path: MilestonePath) -> Response:
    with runtime_of().uow() as uow:
        return jsonify(handlers.milestone_history(uow, path.milestone_id, current_principal()))


@api.get(
    "/submissions/<submission_id>",
    tags=[deliverables_tag],
    responses={200: SubmissionOut},
    summary="One submission and its review",
)
@requires(*READERS)
def get_submission(path: SubmissionPath) -> Response:
    with runtime_of().uow() as uow:
        return jsonify(handlers.submission_view(handlers.get_submission(uow, path.submission_id, current_principal())))


@api.get(
    "/submissions/<submission_id>/file",
    tags=[deliverables_tag],
    summary="Download the file of a submission",
)
@requires(*READERS)
def download(path: SubmissionPath) -> Response:
    runtime = runtime_of()
    with runtime.uow() as uow:
        stored, filename = handlers.submission_file(
            uow, path.submission_id, current_principal(), runtime.settings.var_dir
        )
    return send_file(stored, as_attachment=True, download_name=filename)


@api.post(
    "/submissions/<submission_id>/review",
    tags=[deliverables_tag],
    responses={200: SubmissionOut},
    summary="A mentor accepts a submission (clears the deadline) or asks for a revision with a new due date",
)
@requires("mentor")
def review(path: SubmissionPath, body: ReviewIn) -> Response:
    with runtime_of().uow() as uow:
        submission = handlers.review_submission(
            uow,
            path.submission_id,
            current_principal(),
            decision=body.decision,
            comments=body.comments,
            due_date=body.due_date,
        )
        uow.commit()
        return jsonify(handlers.submission_view(submission))
