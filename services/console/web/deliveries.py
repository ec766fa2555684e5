"""Deliveries and dead letters: what was emailed and what failed, a resend, and replaying parked events."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.console.backend import ApiError
from services.console.web.security import account, audit, backend, is_htmx, needs, page, regions
from shared.config import SERVICES

bp = Blueprint("deliveries", __name__)
STATUSES = ("pending", "sending", "sent", "retrying", "failed")


def _filters() -> dict[str, str | None]:
    status = request.args.get("status")
    return {
        "status": status if status in STATUSES else None,
        "region": (request.args.get("region") or "").strip()[:5] or None,
        "recipient": (request.args.get("recipient") or "").strip().lower()[:254] or None,
    }


def _dead_letters() -> dict[str, list[dict]]:
    parked: dict[str, list[dict]] = {}
    for service in SERVICES:
        try:
            parked[service] = backend().get(service, "/dead-letters").get("items", [])
        except ApiError as exc:
            if exc.status not in (403, 404):
                raise
    return parked


@bp.get("/deliveries")
@page("deliveries")
def index() -> str:
    filters = _filters()
    items = backend().get("notifications", "/deliveries", limit=200, **filters).get("items", [])
    zones = {code: region["timezone"] for code, region in regions().items()}
    if is_htmx() and request.headers.get("HX-Target") == "deliveries-table":
        return render_template("_deliveries_table.html", deliveries=items, zones=zones)
    parked = _dead_letters() if account().may("replay") else {}
    return render_template("deliveries.html", deliveries=items, zones=zones, filters=filters, parked=parked)


@bp.post("/deliveries/<delivery_id>/resend")
@needs("resend")
def resend(delivery_id: str) -> Response | str:
    delivery = backend().send("POST", "notifications", f"/deliveries/{delivery_id}/resend")
    audit(delivery_id=delivery_id, recipient=delivery.get("recipient"))
    message = _("Email untuk %(recipient)s dijadwalkan untuk dikirim ulang.", recipient=delivery.get("recipient"))
    if is_htmx():
        zones = {code: region["timezone"] for code, region in regions().items()}
        return render_template("_delivery_row.html", delivery=delivery, zones=zones, message=message)
    flash(message, "success")
    return redirect(url_for(".index"), 303)


@bp.post("/dead-letters/<service>/replay")
@needs("replay")
def replay(service: str) -> Response:
    if service not in SERVICES:
        return redirect(url_for(".index"), 303)
    result = backend().send("POST", service, "/dead-letters/replay")
    audit(queue=service, replayed=result.get("replayed"))
    flash(
        _("%(count)s peristiwa dikirim kembali ke antrean %(queue)s.", count=result.get("replayed", 0), queue=service),
        "success",
    )
    return redirect(url_for(".index", _anchor="dead-letters"), 303)
