"""Monev: the region's self-assessment per weighted dimension with evidence, and the assessor's confirmation."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, url_for
from flask_babel import gettext as _

from services.console.web import forms
from services.console.web.security import audit, backend, needs

bp = Blueprint("monev", __name__)


def _dimensions(programme_id: str) -> list[str]:
    programme = backend().get("mentoring", f"/programmes/{programme_id}")
    weights = backend().get("mentoring", f"/cohorts/{programme['cohort_year']}/evaluation-weights")
    return list(weights.get("weights", {}))


@bp.post("/programmes/<programme_id>/evaluation")
@needs("self_assess")
def self_assess(programme_id: str) -> Response:
    dimensions = {}
    for key in _dimensions(programme_id):
        dimensions[key] = forms.compact(
            {
                "score": forms.number(f"score_{key}", key),
                "evidence": forms.links(f"evidence_{key}"),
                "note": forms.text(f"note_{key}"),
            }
        )
    backend().send("PUT", "mentoring", f"/programmes/{programme_id}/evaluation", {"dimensions": dimensions})
    audit(programme_id=programme_id, dimensions=len(dimensions))
    flash(_("Penilaian mandiri monev tersimpan."), "success")
    return redirect(url_for("mentoring.programme", programme_id=programme_id, _anchor="monev"), 303)


@bp.post("/programmes/<programme_id>/evaluation/confirm")
@needs("confirm_monev")
def confirm(programme_id: str) -> Response:
    scores = {}
    for key in _dimensions(programme_id):
        value = forms.number(f"confirm_{key}", key, optional=True)
        if value is not None:
            scores[key] = value
    body = forms.compact({"scores": scores or None, "comments": forms.text("comments")})
    result = backend().send("POST", "mentoring", f"/programmes/{programme_id}/evaluation/confirm", body)
    audit(programme_id=programme_id, achievement_index=result.get("achievement_index"))
    flash(_("Monev dikonfirmasi. Indeks capaian: %(index)s.", index=result.get("achievement_index")), "success")
    return redirect(url_for("mentoring.programme", programme_id=programme_id, _anchor="monev"), 303)
