"""Who is signed in, what they may reach, and the audit line every action through the console leaves."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, g, redirect, request, session, url_for

from services.console import commands, handlers
from services.console.backend import Backend, RegionDirectory, http_session
from services.console.domain import Account
from services.console.runtime import ConsoleRuntime
from shared.logging import CORRELATION_HEADER, current_correlation_id, get_logger, set_correlation_id

log = get_logger("services.console.audit")
F = TypeVar("F", bound=Callable[..., Any])
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Reached without signing in: the sign-in pages themselves, the calendar feed (its token is its
# credential), static files and the probes.
PUBLIC = {"auth.login", "auth.oidc_login", "auth.oidc_callback", "auth.language", "calendar.feed", "static"} | {
    "health",
    "ready",
}
# Never written to the audit, whatever the form: secrets.
HIDDEN_FIELDS = {"password", "csrf_token"}


def runtime() -> ConsoleRuntime:
    return current_app.extensions["console"]


def account() -> Account:
    signed_in = g.get("account")
    if signed_in is None:
        abort(401)
    return signed_in


def backend(as_account: Account | None = None) -> Backend:
    """The APIs as the signed-in user (or, for the calendar feed, as the region the feed belongs to)."""
    if as_account is None and "backend" in g:
        return g.backend
    rt = runtime()
    client = Backend(
        urls=rt.settings.service_urls,
        secret=rt.settings.jwt_secret,
        clock=rt.clock,
        account=as_account or account(),
        token_minutes=rt.console.token_minutes,
        timeout=rt.settings.http_timeout_seconds,
        session=current_app.extensions["console_http"],
    )
    if as_account is None:
        g.backend = client
    return client


def regions() -> dict[str, dict[str, Any]]:
    return current_app.extensions["console_regions"].regions(backend())


def page(name: str) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not account().sees_page(name):
                abort(403)
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def needs(action: str) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not account().may(action):
                abort(403)
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def check_region(code: str) -> None:
    """A region user reaches only their own region's pages, before any service is asked."""
    if not account().may_view_region(code):
        abort(403)


def sign_in(signed_in: Account) -> None:
    session.clear()  # a fresh session on every sign-in: no fixation
    session.permanent = True
    session["account"] = signed_in.as_session()
    session["signed_in_at"] = runtime().clock.now().isoformat()
    g.account = signed_in


def audit(**details: Any) -> None:
    """Extra facts for this request's audit row (ids acted on, counts)."""
    g.setdefault("audit_details", {}).update(details)


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def safe_next(target: str | None) -> str:
    """Only a path on this console, so a crafted sign-in link cannot send anyone elsewhere."""
    if not target:
        return url_for("overview.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("overview.index")
    return target


def install(app: Flask) -> None:
    app.extensions["console_http"] = http_session()
    app.extensions["console_regions"] = RegionDirectory()

    @app.before_request
    def _begin() -> Response | None:
        incoming = request.headers.get(CORRELATION_HEADER, "").strip()
        set_correlation_id(incoming[:64] if incoming else str(uuid.uuid4()))
        g.account = _session_account()
        if request.endpoint is None or request.endpoint in PUBLIC or g.account is not None:
            return None
        if is_htmx():
            return Response(status=401, headers={"HX-Redirect": url_for("auth.login")})
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.after_request
    def _finish(response: Response) -> Response:
        correlation_id = current_correlation_id()
        if correlation_id:
            response.headers[CORRELATION_HEADER] = correlation_id
        _security_headers(response)
        if request.method not in SAFE_METHODS and request.endpoint != "static":
            _record(response)
        return response


def _session_account() -> Account | None:
    data = session.get("account")
    if not data:
        return None
    try:
        started = datetime.fromisoformat(session["signed_in_at"])
    except (KeyError, ValueError):
        session.clear()
        return None
    if runtime().clock.now() - started > timedelta(hours=runtime().console.session_hours):
        session.clear()
        return None
    return Account.from_session(data)


def _security_headers(response: Response) -> None:
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if runtime().console.secure_cookies:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")


def _record(response: Response) -> None:
    """One JSON log line and one console row per action, refused ones included."""
    who = g.get("account")
    status = g.get("audit_status", response.status_code)
    fields = sorted(key for key in request.form if key not in HIDDEN_FIELDS)
    details = {**(request.view_args or {}), **g.get("audit_details", {})}
    if fields:
        details["fields"] = fields
    command = commands.RecordAction(
        actor=who.sub if who else g.get("audit_actor", "anonymous"),
        role=who.role if who else None,
        region=who.region if who else None,
        action=request.endpoint or "unmatched",
        method=request.method,
        path=request.path,
        status_code=int(status),
        correlation_id=current_correlation_id(),
        details=details,
    )
    log.info(
        "console action",
        actor=command.actor,
        role=command.role,
        region=command.region,
        action=command.action,
        path=command.path,
        status=command.status_code,
        details=details,
    )
    try:
        with runtime().uow() as uow:
            handlers.record_action(uow, command)
            uow.commit()
    except Exception:  # the action itself already happened; losing its row must not turn it into a 500
        log.exception("console audit row could not be written", action=command.action)
