"""Wiring of the console: its Flask app with sessions, CSRF protection, languages and pages."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask, Response, g, jsonify, request, session
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import text

from services.console.runtime import ConsoleRuntime, bootstrap
from services.console.settings import CONSOLE_PORT

__all__ = ["CONSOLE_PORT", "bootstrap", "create_app"]
HERE = Path(__file__).resolve().parent
NAV = (
    ("overview", "overview.index"),
    ("cohorts", "cohorts.index"),
    ("regions", "regions.index"),
    ("agreements", "agreements.index"),
    ("mentoring", "mentoring.index"),
    ("deliveries", "deliveries.index"),
    ("docs", "docs.index"),
)


def _locale() -> str:
    return session.get("language", "id")


def create_app(runtime: ConsoleRuntime | None = None) -> Flask:
    from services.console.web import auth, errors, formatting, register, security

    runtime = runtime or bootstrap()
    console = runtime.console
    app = Flask("services.console", root_path=str(HERE))
    app.config.update(
        SECRET_KEY=console.secret_key,
        SESSION_COOKIE_NAME="cerdas_console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=console.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=console.session_hours),
        WTF_CSRF_TIME_LIMIT=console.session_hours * 3600,
        # Behind TLS the Referer check of Flask-WTF also applies; it compares against this host.
        WTF_CSRF_SSL_STRICT=console.secure_cookies,
        MAX_CONTENT_LENGTH=32 * 1024 * 1024,
        BABEL_DEFAULT_LOCALE="id",
        BABEL_DEFAULT_TIMEZONE="Asia/Jakarta",
        BABEL_TRANSLATION_DIRECTORIES=str(HERE / "translations"),
    )
    app.extensions["console"] = runtime
    CSRFProtect(app)
    Babel(app, locale_selector=_locale)
    security.install(app)
    formatting.install(app)
    errors.install(app)
    auth.install_oidc(app)
    register(app)

    @app.context_processor
    def _context() -> dict:
        signed_in = g.get("account")
        nav = [(name, endpoint) for name, endpoint in NAV if signed_in and signed_in.sees_page(name)]
        return {"me": signed_in, "nav": nav, "language": _locale(), "current_path": request.full_path.rstrip("?")}

    @app.get("/health")
    def health() -> Response:
        return jsonify(status="ok", service="console")

    @app.get("/ready")
    def ready() -> tuple[Response, int]:
        """The console's own database answers; the services report their own readiness."""
        try:
            with runtime.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as exc:  # report, never raise, from a readiness probe
            return jsonify(status="unavailable", checks={"database": f"error: {exc.__class__.__name__}"}), 503
        return jsonify(status="ready", checks={"database": "ok"}), 200

    return app
