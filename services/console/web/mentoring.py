"""Mentoring: late milestones by region, the mentors' review queue, a programme's plan, hand-ins and reviews."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.console.backend import ApiError
from services.console.web import forms
from services.console.web.overview import chosen_year, cohort_years
from services.console.web.security import account, audit, backend, check_region, is_htmx, needs, page

bp = Blueprint("mentoring", __name__)


def review_queue(programmes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Hand-ins waiting for a mentor, oldest first, with their programme and milestone."""
    queue = []
    for programme in programmes:
        for stage in programme["stages"]:
            for milestone in stage["milestones"]:
                if milestone["status"] != "submitted":
                    continue
                history = backend().get("mentoring", f"/milestones/{milestone['id']}/submissions")
                waiting = [s for s in history.get("submissions", []) if s["status"] == "submitted"]
                if waiting:
                    queue.append({"programme": programme, "milestone": milestone, "submission": waiting[-1]})
    return sorted(queue, key=lambda item: item["submission"]["submitted_at"])


@bp.get("/mentoring")
@page("mentoring")
def index() -> Response | str:
    signed_in = account()
    if signed_in.role == "region":
        own = backend().get("mentoring", "/programmes", region=signed_in.region).get("items", [])
        if own:
            return redirect(url_for(".programme", programme_id=own[0]["id"]))
        return render_template("mentoring.html", years=[], year=None, programmes=[], progress=None, queue=[])
    years = cohort_years()
    year = chosen_year(years)
    programmes = backend().get("mentoring", "/programmes", cohort=year).get("items", []) if year else []
    progress = None
    if year is not None:
        try:
            progress = backend().get("mentoring", f"/cohorts/{year}/progress")
        except ApiError as exc:
            if exc.status != 404:
                raise
    queue = review_queue(programmes) if signed_in.may("review") else []
    return render_template(
        "mentoring.html", years=years, year=year, programmes=programmes, progress=progress, queue=queue
    )


@bp.get("/programmes/<programme_id>")
@page("mentoring")
def programme(programme_id: str) -> str:
    api = backend()
    detail = api.get("mentoring", f"/programmes/{programme_id}")
    check_region(detail["region_code"])
    progress = api.get("mentoring", f"/programmes/{programme_id}/progress")
    weights = api.get("mentoring", f"/cohorts/{detail['cohort_year']}/evaluation-weights")
    try:
        evaluation = api.get("mentoring", f"/programmes/{programme_id}/evaluation")
    except ApiError as exc:
        if exc.status != 404:
            raise
        evaluation = None
    return render_template(
        "programme.html",
        programme=detail,
        progress=progress,
        weights=weights,
        evaluation=evaluation,
        monev_open=monev_open(detail),
    )


def monev_open(programme: dict[str, Any]) -> bool:
    """Monev measures what the Masterplan set out: the self-assessment opens once the stages holding the
    Masterplan are complete (the mentoring service refuses it before, with a 409)."""
    stages = [s for s in programme["stages"] if any(m["kind"] == "masterplan" for m in s["milestones"])]
    if not stages:
        stages = programme["stages"]
        return all(m["status"] == "accepted" for s in stages for m in s["milestones"] if m["kind"] != "evaluation")
    return all(m["status"] == "accepted" for s in stages for m in s["milestones"])


@bp.post("/programmes/<programme_id>/mentors")
@needs("assign_mentor")
def assign_mentor(programme_id: str) -> Response:
    body = forms.compact(
        {"mentor": forms.required("mentor", _("Nama pengguna pendamping")), "name": forms.text("name")}
    )
    backend().send("POST", "mentoring", f"/programmes/{programme_id}/mentors", body)
    audit(programme_id=programme_id, mentor=body["mentor"])
    flash(_("Pendamping %(mentor)s ditugaskan.", mentor=body.get("name") or body["mentor"]), "success")
    return redirect(url_for(".programme", programme_id=programme_id), 303)


@bp.get("/milestones/<milestone_id>")
@page("mentoring")
def milestone(milestone_id: str) -> str:
    history = backend().get("mentoring", f"/milestones/{milestone_id}/submissions")
    programme_id = history["submissions"][0]["programme_id"] if history.get("submissions") else None
    return render_template("milestone.html", history=history, programme_id=programme_id)


@bp.post("/milestones/<milestone_id>/submissions")
@needs("hand_in")
def hand_in(milestone_id: str) -> Response:
    programme_id = forms.required("programme_id", _("Program"))
    upload = request.files.get("file")
    note = forms.text("note")
    if upload is not None and upload.filename:
        files = {"file": (upload.filename, upload.stream, upload.mimetype or "application/octet-stream")}
        body = forms.compact({"note": note})
        submission = backend().send("POST", "mentoring", f"/milestones/{milestone_id}/submissions", body, files=files)
    else:
        link = forms.required("link", _("Tautan dokumen"))
        body = forms.compact({"link": link, "note": note})
        submission = backend().send("POST", "mentoring", f"/milestones/{milestone_id}/submissions", body)
    audit(milestone_id=milestone_id, submission_id=submission.get("id"), attempt=submission.get("attempt"))
    flash(_("Dokumen diserahkan dan menunggu tinjauan pendamping."), "success")
    return redirect(url_for(".programme", programme_id=programme_id), 303)


@bp.post("/submissions/<submission_id>/review")
@needs("review")
def review(submission_id: str) -> Response | str:
    decision = request.form.get("decision")
    if decision == "accept":
        body: dict[str, Any] = {"decision": "accept"}
    else:
        body = {
            "decision": "request_revision",
            "comments": forms.required("comments", _("Catatan revisi")),
            "due_date": forms.day("due_date", _("Batas revisi")).isoformat(),
        }
    reviewed = backend().send("POST", "mentoring", f"/submissions/{submission_id}/review", body)
    audit(submission_id=submission_id, decision=body["decision"])
    message = _(
        "Hasil tinjauan tersimpan: %(status)s.", status=_("diterima") if decision == "accept" else _("perlu revisi")
    )
    if is_htmx():
        return render_template("_reviewed.html", submission=reviewed, message=message)
    flash(message, "success")
    return redirect(request.form.get("back") or url_for(".index"), 303)


@bp.get("/submissions/<submission_id>/file")
@page("mentoring")
def submission_file(submission_id: str) -> Response:
    upstream = backend().download("mentoring", f"/submissions/{submission_id}/file")
    return Response(
        upstream.content,
        mimetype=upstream.headers.get("Content-Type", "application/octet-stream"),
        headers={"Content-Disposition": upstream.headers.get("Content-Disposition", "attachment")},
    )
