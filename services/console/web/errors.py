"""What a refusal looks like: a page for a reader, a message beside the form for an action."""

from __future__ import annotations

from flask import Flask, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from services.console.backend import ApiError
from services.console.web.security import SAFE_METHODS, is_htmx, safe_next
from shared.errors import CerdasError
from shared.logging import get_logger

log = get_logger(__name__)

TITLES = {
    400: _l("Permintaan tidak dapat diproses"),
    401: _l("Silakan masuk terlebih dahulu"),
    403: _l("Akses ditolak"),
    404: _l("Tidak ditemukan"),
    413: _l("Berkas terlalu besar"),
    500: _l("Terjadi kesalahan"),
    502: _l("Layanan tidak dapat dihubungi"),
    503: _l("Layanan tidak dapat dihubungi"),
}


def error_page(status: int, detail: str | None = None) -> tuple[str, int]:
    return render_template(
        "error.html", status=status, title=str(TITLES.get(status, TITLES[500])), detail=detail
    ), status


def _back() -> str:
    referrer = request.referrer or ""
    root = request.host_url.rstrip("/")
    return safe_next(referrer[len(root) :] if referrer.startswith(root) else None)


def _refused(message: str) -> Response:
    """The reason beside the form just sent: in place for htmx, after a redirect back otherwise."""
    if is_htmx():
        response = Response(render_template("_messages.html", messages=[("error", message)]))
        response.headers["HX-Retarget"] = "#messages"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    flash(message, "error")
    return redirect(_back(), 303)


def install(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response | tuple[str, int]:
        g.audit_status = exc.status
        if request.method in SAFE_METHODS:
            if exc.status in (403, 404):
                return error_page(exc.status, exc.detail)
            status = 503 if exc.status >= 500 else 502
            return error_page(status, exc.detail)
        # An action the service refused: its reason next to the form the user just sent.
        if exc.status == 403:
            return error_page(403, exc.detail)
        return _refused(
            _("Layanan %(service)s menolak permintaan ini: %(detail)s", service=exc.service, detail=exc.detail)
        )

    @app.errorhandler(CerdasError)
    def _invalid_form(exc: CerdasError) -> Response | tuple[str, int]:
        g.audit_status = exc.status
        if request.method in SAFE_METHODS:
            return error_page(exc.status if exc.status in TITLES else 400, exc.detail)
        return _refused(exc.detail)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> tuple[str, int]:
        log.warning("form refused: CSRF token missing or invalid", path=request.path, reason=exc.description)
        return error_page(400, _("Formulir ini tidak sah atau sudah kedaluwarsa. Muat ulang halaman lalu coba lagi."))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response | tuple[str, int]:
        status = exc.code or 500
        if status == 401:
            return redirect(url_for("auth.login"))
        if status == 405:
            return error_page(404)
        return error_page(status if status in TITLES else 400)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[str, int]:
        log.exception("unhandled console error")
        return error_page(500, _("Kesalahan telah dicatat. Coba lagi beberapa saat lagi."))
