"""Cohorts: open one, its applications with scores and ranking, the selection, and the results export."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.console.domain.programme import instant
from services.console.web import forms
from services.console.web.security import audit, backend, needs, page, regions, runtime

bp = Blueprint("cohorts", __name__)


@bp.get("/cohorts")
@page("cohorts")
def index() -> str:
    cohorts = backend().get("assessment", "/cohorts").get("items", [])
    return render_template("cohorts.html", cohorts=cohorts)


@bp.post("/cohorts")
@needs("open_cohort")
def open_cohort() -> Response:
    year = int(forms.number("year", _("Tahun")) or 0)
    body = {
        "year": year,
        "quotas": {
            "provinsi": int(forms.number("quota_provinsi", _("Kuota provinsi")) or 0),
            "kabkota": int(forms.number("quota_kabkota", _("Kuota kabupaten/kota")) or 0),
        },
        "applications_open_at": forms.start_of_day("applications_open", _("Pendaftaran dibuka")),
        "applications_close_at": forms.end_of_day("applications_close", _("Pendaftaran ditutup")),
        "assessment_due_at": forms.end_of_day("assessment_due", _("Batas penilaian")),
    }
    backend().send("POST", "assessment", "/cohorts", body)
    audit(year=year)
    flash(_("Kohort %(year)s dibuka.", year=year), "success")
    return redirect(url_for(".cohort", year=year), 303)


@bp.get("/cohorts/<int:year>")
@page("cohorts")
def cohort(year: int) -> str:
    api = backend()
    detail = api.get("assessment", f"/cohorts/{year}")
    applications = api.get("assessment", f"/cohorts/{year}/applications").get("items", [])
    ranking = api.get("assessment", f"/cohorts/{year}/ranking")
    candidates = [r for r in regions().values() if r["code"] not in {a["region_code"] for a in applications}]
    return render_template(
        "cohort.html", cohort=detail, applications=applications, ranking=ranking, candidates=candidates
    )


@bp.post("/cohorts/<int:year>/applications")
@needs("apply")
def apply(year: int) -> Response:
    code = forms.required("region_code", _("Wilayah"))
    application = backend().send("POST", "assessment", f"/cohorts/{year}/applications", {"region_code": code})
    audit(application_id=application.get("id"), region_code=code)
    flash(_("Lamaran %(region)s tercatat.", region=application.get("region_name", code)), "success")
    back = request.form.get("back")
    if back == "region":
        return redirect(url_for("regions.region", code=code), 303)
    return redirect(url_for(".cohort", year=year), 303)


@bp.get("/cohorts/<int:year>/selection")
@needs("select")
def confirm_selection(year: int) -> str:
    api = backend()
    cohort = api.get("assessment", f"/cohorts/{year}")
    closes = instant(cohort["applications_close_at"])
    return render_template(
        "selection.html",
        cohort=cohort,
        ranking=api.get("assessment", f"/cohorts/{year}/ranking"),
        window_open=closes is not None and closes > runtime().clock.now(),
    )


@bp.post("/cohorts/<int:year>/selection")
@needs("select")
def run_selection(year: int) -> Response:
    force = request.form.get("force") == "yes"
    body = forms.compact({"force": force, "reason": forms.text("reason") if force else None})
    ranking = backend().send("POST", "assessment", f"/cohorts/{year}/selection", body)
    selected = sum(1 for group in ranking.get("groups", {}).values() for entry in group if entry.get("selected"))
    audit(year=year, selected=selected, forced=force)
    flash(_("Seleksi kohort %(year)s ditetapkan: %(count)s wilayah terpilih.", year=year, count=selected), "success")
    return redirect(url_for(".cohort", year=year), 303)


@bp.get("/cohorts/<int:year>/results.csv")
@page("cohorts")
def export(year: int) -> Response:
    upstream = backend().download("assessment", f"/cohorts/{year}/results.csv")
    return Response(
        upstream.content,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="hasil-seleksi-{year}.csv"'},
    )
