"""The region register and one region's page: officials, timeline, agreement, programme, emails, calendar feed."""

from __future__ import annotations

import csv
import io
from importlib import resources
from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.console import views
from services.console.backend import ApiError
from services.console.domain.programme import timeline
from services.console.web import forms
from services.console.web.security import account, audit, backend, check_region, needs, runtime
from shared.errors import Invalid

bp = Blueprint("regions", __name__)
STANDARD_ROLES = ("head_of_region", "regional_secretary", "kominfo_head", "bappeda_head", "bpkpad_head")
REGISTER_COLUMNS = ("code", "name", "kind", "province_code", "timezone")


@bp.get("/regions")
def index() -> Response | str:
    if account().role == "region":
        return redirect(url_for(".region", code=account().region))
    query = request.args.get("q", "").strip()[:80]
    kind = request.args.get("kind") if request.args.get("kind") in ("provinsi", "kabkota") else None
    found = backend().get("assessment", "/regions", q=query, kind=kind)
    return render_template("regions.html", regions=found.get("items", []), total=found.get("total", 0), q=query)


def _rows(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not set(REGISTER_COLUMNS) <= set(reader.fieldnames):
        columns = ", ".join(REGISTER_COLUMNS)
        raise Invalid(_("Baris pertama berkas CSV harus memuat kolom %(columns)s.", columns=columns), field="file")
    return [
        {**{key: row[key] for key in REGISTER_COLUMNS}, "province_code": row["province_code"] or None} for row in reader
    ]


@bp.post("/regions/import")
@needs("import_regions")
def import_register() -> Response:
    """The operator's own CSV, or the Kemendagri register that ships with Cerdas."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        text, source = upload.read().decode("utf-8-sig"), upload.filename
    else:
        bundled = resources.files("services.assessment").joinpath("data/regions_id.csv")
        text, source = bundled.read_text("utf-8"), "regions_id.csv"
    rows = _rows(text)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for start in range(0, len(rows), 1000):  # the API takes at most 1000 regions per call
        answer = backend().send("POST", "assessment", "/regions/import", {"regions": rows[start : start + 1000]})
        for key in counts:
            counts[key] += int(answer.get(key, 0))
    current_app.extensions["console_regions"].forget()
    audit(source=source, **counts)
    flash(
        _("Register wilayah dimuat: %(created)s baru, %(updated)s diperbarui, %(unchanged)s tetap.", **counts),
        "success",
    )
    return redirect(url_for(".index"), 303)


def _applications(code: str) -> list[tuple[dict, dict]]:
    """This region's applications in the latest cohorts, newest first, each with its cohort."""
    api = backend()
    found = []
    for cohort in api.get("assessment", "/cohorts").get("items", [])[:5]:
        for item in api.get("assessment", f"/cohorts/{cohort['year']}/applications", region=code).get("items", []):
            found.append((item, cohort))
    return found


def _deliveries(code: str) -> list[dict] | None:
    try:
        return backend().get("notifications", "/deliveries", region=code, limit=100).get("items", [])
    except ApiError as exc:
        if exc.status == 403:
            return None  # this role may not read the deliveries log
        raise


@bp.get("/regions/<code>")
def region(code: str) -> str:
    check_region(code)
    api = backend()
    detail = api.get("assessment", f"/regions/{code}")
    officials = api.get("assessment", f"/regions/{code}/officials").get("officials", [])
    applications = _applications(code)
    agreements = api.get("mou", "/agreements", region=code).get("items", [])
    programmes = api.get("mentoring", "/programmes", region=code).get("items", [])
    application, cohort = applications[0] if applications else (None, None)
    agreement = next((a for a in agreements if cohort is None or a["cohort_year"] == cohort["year"]), None)
    programme = next((p for p in programmes if agreement and p["agreement_id"] == agreement["id"]), None)
    progress = api.get("mentoring", f"/programmes/{programme['id']}/progress") if programme else None
    open_cohorts = [
        c
        for c in api.get("assessment", "/cohorts").get("items", [])
        if c["status"] == "open" and c["year"] not in {cohort_["year"] for _a, cohort_ in applications}
    ]
    feed = None
    if account().may("manage_feed"):
        with runtime().uow() as uow:
            token = views.live_feed_token(uow, code)
            feed = token.token if token else None
    return render_template(
        "region.html",
        region=detail,
        officials=officials,
        applications=applications,
        agreement=agreement,
        programme=programme,
        progress=progress,
        events=timeline(cohort, application, agreement, programme, runtime().clock.now()),
        deliveries=_deliveries(code),
        open_cohorts=open_cohorts,
        feed_url=runtime().console.public_url + url_for("calendar.feed", token=feed) if feed else None,
    )


@bp.get("/regions/<code>/officials")
@needs("edit_officials")
def edit_officials(code: str) -> str:
    check_region(code)
    api = backend()
    current = {o["role"]: o for o in api.get("assessment", f"/regions/{code}/officials").get("officials", [])}
    roles = list(STANDARD_ROLES) + [role for role in current if role not in STANDARD_ROLES]
    return render_template(
        "officials.html", region=api.get("assessment", f"/regions/{code}"), roles=roles, current=current
    )


@bp.post("/regions/<code>/officials")
@needs("edit_officials")
def save_officials(code: str) -> Response:
    check_region(code)
    line_up = []
    for role in request.form.getlist("role"):
        name, email = forms.text(f"{role}-name"), forms.text(f"{role}-email")
        if not name and not email:
            continue
        line_up.append(
            forms.compact(
                {
                    "role": role,
                    "name": name,
                    "email": email,
                    "title": forms.text(f"{role}-title"),
                    "position": forms.text(f"{role}-position"),
                    "acting": forms.text(f"{role}-acting"),
                }
            )
        )
    backend().send("PUT", "assessment", f"/regions/{code}/officials", {"officials": line_up})
    audit(region_code=code, officials=len(line_up))
    flash(_("Susunan pejabat tersimpan."), "success")
    return redirect(url_for(".region", code=code), 303)
