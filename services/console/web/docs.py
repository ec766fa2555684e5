"""Swagger UI for each service's OpenAPI document, served from the console's own files (no CDN)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, render_template

from services.console.web.security import backend, page
from shared.config import SERVICES

bp = Blueprint("docs", __name__)


@bp.get("/docs")
@page("docs")
def index() -> str:
    return render_template("docs.html", services=SERVICES, service=None)


@bp.get("/docs/<service>")
@page("docs")
def service(service: str) -> str:
    if service not in SERVICES:
        abort(404)
    return render_template("docs.html", services=SERVICES, service=service)


@bp.get("/docs/<service>/openapi.json")
@page("docs")
def document(service: str) -> Response:
    """The service's own document, fetched server-side: the browser never needs to reach the service."""
    if service not in SERVICES:
        abort(404)
    return jsonify(backend().get(service, "/openapi.json"))
