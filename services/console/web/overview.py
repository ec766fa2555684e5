"""The overview: the cohort funnel, counts per province, what is late this week, and system status."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for

from services.console.domain.programme import by_province, funnel, late_this_week
from services.console.web.security import account, backend, needs, page, regions, runtime
from shared.status import collect_status

bp = Blueprint("overview", __name__)


def cohort_years() -> list[int]:
    return [item["year"] for item in backend().get("assessment", "/cohorts").get("items", [])]


def chosen_year(years: list[int]) -> int | None:
    raw = request.args.get("cohort", "")
    if raw.isdigit() and int(raw) in years:
        return int(raw)
    return years[0] if years else None


@bp.get("/")
def index() -> Response | str:
    signed_in = account()
    if signed_in.role == "region":
        return redirect(url_for("regions.region", code=signed_in.region))
    if not signed_in.sees_page("overview"):
        return redirect(url_for("mentoring.index"))
    return _overview()


@page("overview")
def _overview() -> str:
    years = cohort_years()
    year = chosen_year(years)
    context: dict = {"years": years, "year": year, "steps": [], "provinces": [], "due": []}
    if year is not None:
        api = backend()
        applications = api.get("assessment", f"/cohorts/{year}/applications").get("items", [])
        agreements = api.get("mou", "/agreements", cohort=year).get("items", [])
        programmes = api.get("mentoring", "/programmes", cohort=year).get("items", [])
        provinces = {code: r["name"] for code, r in regions().items() if r["kind"] == "provinsi"}
        context.update(
            steps=funnel(applications, agreements, programmes),
            provinces=by_province(applications, agreements, programmes, provinces),
            due=late_this_week(agreements, programmes, runtime().clock.now()),
        )
    context["widest"] = max([count for _step, count in context["steps"]] + [1])
    return render_template("overview.html", **context)


@bp.get("/partials/status")
@needs("read_status")
def status() -> str:
    """The `cerdas status` figures, loaded after the page so a slow service never holds the page back."""
    return render_template("_status.html", status=collect_status(runtime().settings, timeout=2.0))
