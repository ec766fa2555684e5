"""Agreements and ceremonies: schedule one ceremony for many, record a signing, upload the signed PDF, audit."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.console.web import forms
from services.console.web.security import account, audit, backend, check_region, needs, page, runtime

bp = Blueprint("agreements", __name__)
STATUSES = ("draft", "scheduled", "signed", "expired", "terminated")


@bp.get("/agreements")
@page("agreements")
def index() -> str:
    signed_in = account()
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    cohort = request.args.get("cohort", "")
    region = signed_in.region if signed_in.role == "region" else (request.args.get("region") or None)
    found = backend().get(
        "mou", "/agreements", status=status, cohort=int(cohort) if cohort.isdigit() else None, region=region
    )
    return render_template("agreements.html", agreements=found.get("items", []), status=status, cohort=cohort)


@bp.post("/ceremonies/schedule")
@needs("schedule")
def schedule_ceremony() -> Response:
    ids = request.form.getlist("agreement_id")
    if not ids:
        flash(_("Pilih sekurang-kurangnya satu Nota Kesepakatan."), "error")
        return redirect(url_for(".index"), 303)
    body = forms.compact(
        {
            "agreement_ids": ids,
            "scheduled_at": forms.local_moment("scheduled_at", _("Waktu seremoni")),
            "mode": forms.required("mode", _("Cara penandatanganan")),
            "venue": forms.text("venue"),
        }
    )
    result = backend().send("POST", "mou", "/ceremonies/schedule", body)
    audit(agreement_ids=ids)
    flash(_("Seremoni dijadwalkan untuk %(count)s Nota Kesepakatan.", count=result.get("total", len(ids))), "success")
    return redirect(url_for(".index", status="scheduled"), 303)


@bp.get("/agreements/<agreement_id>")
@page("agreements")
def agreement(agreement_id: str) -> str:
    api = backend()
    detail = api.get("mou", f"/agreements/{agreement_id}")
    check_region(detail["region_code"])
    documents = api.get("mou", f"/agreements/{agreement_id}/documents").get("items", [])
    trail = api.get("mou", f"/agreements/{agreement_id}/audit").get("items", []) if account().may("read_audit") else []
    officials = {}
    if account().may("sign"):
        listed = api.get("assessment", f"/regions/{detail['region_code']}/officials").get("officials", [])
        officials = {o["role"]: o for o in listed}
    return render_template(
        "agreement.html",
        agreement=detail,
        documents=documents,
        trail=trail,
        officials=officials,
        now=runtime().clock.now(),
    )


@bp.post("/agreements/<agreement_id>/sign")
@needs("sign")
def sign(agreement_id: str) -> Response:
    region_signatory = forms.compact(
        {
            "party": "region",
            "name": forms.required("region_name", _("Nama penanda tangan daerah")),
            "position": forms.required("region_position", _("Jabatan penanda tangan daerah")),
            "acting": forms.text("region_acting"),
            "on_behalf_of": forms.text("region_on_behalf_of"),
        }
    )
    ministry_signatory = {
        "party": "ministry",
        "name": forms.required("ministry_name", _("Nama penanda tangan kementerian")),
        "position": forms.required("ministry_position", _("Jabatan penanda tangan kementerian")),
    }
    body = {
        "signed_at": forms.local_moment("signed_at", _("Waktu penandatanganan")),
        "signatories": [region_signatory, ministry_signatory],
    }
    signed = backend().send("POST", "mou", f"/agreements/{agreement_id}/sign", body)
    audit(
        agreement_id=agreement_id, number=signed.get("number"), represented=bool(region_signatory.get("on_behalf_of"))
    )
    flash(_("Penandatanganan Nota Kesepakatan %(number)s tercatat.", number=signed.get("number")), "success")
    return redirect(url_for(".agreement", agreement_id=agreement_id), 303)


@bp.post("/agreements/<agreement_id>/documents")
@needs("upload_document")
def upload(agreement_id: str) -> Response:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Pilih berkas PDF Nota Kesepakatan yang sudah ditandatangani."), "error")
        return redirect(url_for(".agreement", agreement_id=agreement_id), 303)
    files = {"file": (upload.filename, upload.stream, upload.mimetype or "application/pdf")}
    document = backend().send("POST", "mou", f"/agreements/{agreement_id}/documents", files=files)
    audit(agreement_id=agreement_id, version=document.get("version"), sha256=document.get("sha256"))
    flash(_("Dokumen versi %(version)s tersimpan.", version=document.get("version")), "success")
    return redirect(url_for(".agreement", agreement_id=agreement_id), 303)


@bp.get("/agreements/<agreement_id>/documents/<int:version>")
@page("agreements")
def download(agreement_id: str, version: int) -> Response:
    upstream = backend().download("mou", f"/agreements/{agreement_id}/documents/{version}")
    return Response(
        upstream.content,
        mimetype="application/pdf",
        headers={"Content-Disposition": upstream.headers.get("Content-Disposition", "attachment")},
    )
