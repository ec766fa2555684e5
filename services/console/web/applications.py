"""One application: the region's self-assessment, the assessors' sheets, and the scoring sheet itself."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from services.console.web import forms
from services.console.web.security import account, audit, backend, check_region, is_htmx, needs

bp = Blueprint("applications", __name__)


def _load(application_id: str) -> tuple[dict, dict]:
    api = backend()
    application = api.get("assessment", f"/applications/{application_id}")
    check_region(application["region_code"])
    return application, api.get("assessment", f"/cohorts/{application['cohort_year']}")


@bp.get("/applications/<application_id>")
def application(application_id: str) -> str:
    detail, cohort = _load(application_id)
    scores = None
    if account().role in ("operator", "assessor"):
        scores = backend().get("assessment", f"/applications/{application_id}/scores")
    mine = {}
    if scores and account().role == "assessor":
        mine = next((s["scores"] for s in scores.get("sheets", []) if s["assessor"] == account().sub), {})
    return render_template("application.html", application=detail, cohort=cohort, scores=scores, mine=mine)


@bp.post("/applications/<application_id>/scores")
@needs("score")
def score(application_id: str) -> Response | str:
    detail, cohort = _load(application_id)
    sheet = {}
    for criterion in cohort["rubric"]:
        value = forms.number(f"score_{criterion['key']}", criterion["label"], optional=True)
        if value is not None:
            sheet[criterion["key"]] = value
    if not sheet:
        flash(_("Isi sekurang-kurangnya satu nilai."), "error")
        return redirect(url_for(".application", application_id=application_id), 303)
    result = backend().send("PUT", "assessment", f"/applications/{application_id}/scores", {"scores": sheet})
    audit(application_id=application_id, region_code=detail["region_code"], criteria=len(sheet))
    message = _("Lembar penilaian untuk %(region)s tersimpan.", region=detail["region_name"])
    if is_htmx():
        return render_template("_score_result.html", scores=result, message=message)
    flash(message, "success")
    return redirect(url_for(".application", application_id=application_id), 303)


@bp.post("/applications/<application_id>/answers")
@needs("answer")
def answer(application_id: str) -> Response:
    detail, cohort = _load(application_id)
    answers = {}
    for criterion in cohort["rubric"]:
        key = criterion["key"]
        score = forms.number(f"self_{key}", criterion["label"], optional=True)
        narrative = forms.text(f"narrative_{key}")
        evidence = forms.links(f"evidence_{key}")
        if score is not None or narrative or evidence:
            answers[key] = {"score": score, "narrative": narrative, "evidence": evidence}
    if not answers:
        flash(_("Isi sekurang-kurangnya satu kriteria."), "error")
        return redirect(url_for(".application", application_id=application_id), 303)
    backend().send("PUT", "assessment", f"/applications/{application_id}/answers", {"answers": answers})
    audit(application_id=application_id, region_code=detail["region_code"], criteria=len(answers))
    flash(_("Penilaian mandiri tersimpan."), "success")
    return redirect(url_for(".application", application_id=application_id), 303)
