"""Signing in (a local account, or OpenID Connect with any standard provider), signing out, the language."""

from __future__ import annotations

from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from services.console import commands, handlers
from services.console.domain import account_from_claims
from services.console.web.security import runtime, safe_next, sign_in
from shared.errors import Forbidden, Unauthorized
from shared.logging import get_logger

bp = Blueprint("auth", __name__)
log = get_logger(__name__)
LANGUAGES = ("id", "en")


def install_oidc(app: Flask) -> None:
    """Registers the provider only when CERDAS_CONSOLE_OIDC_ISSUER is set; its metadata is read on first use."""
    oidc = app.extensions["console"].console.oidc
    if oidc is None:
        return
    oauth = OAuth(app)
    oauth.register(
        "cerdas",
        client_id=oidc.client_id,
        client_secret=oidc.client_secret,
        server_metadata_url=oidc.metadata_url,
        client_kwargs={"scope": oidc.scopes, "code_challenge_method": "S256"},
    )
    app.extensions["console_oauth"] = oauth


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    settings = runtime().console
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("login.html", next=target, local=settings.local_accounts, oidc=settings.oidc is not None)
    if not settings.local_accounts:
        return render_template("login.html", next=target, local=False, oidc=True), 404
    username = request.form.get("username", "").strip().lower()
    g.audit_actor = username[:160] or "anonymous"
    try:
        with runtime().uow() as uow:
            signed_in = handlers.sign_in(uow, commands.SignIn(username, request.form.get("password", "")))
            uow.commit()
    except Unauthorized:
        g.audit_status = 401
        flash(_("Nama pengguna atau kata sandi tidak sesuai."), "error")
        return render_template("login.html", next=target, local=True, oidc=settings.oidc is not None), 401
    sign_in(signed_in)
    return redirect(_landing(target), 303)


def _landing(target: str) -> str:
    """A region user starts on their own region's page; everyone else where they were going."""
    signed_in = g.account
    if signed_in.role == "region" and target == url_for("overview.index"):
        return url_for("regions.region", code=signed_in.region)
    return target


@bp.get("/login/oidc")
def oidc_login() -> Response:
    oauth = current_app.extensions.get("console_oauth")
    if oauth is None:
        return redirect(url_for(".login"))
    session["oidc_next"] = safe_next(request.args.get("next"))
    redirect_uri = runtime().console.public_url + url_for(".oidc_callback")
    return oauth.cerdas.authorize_redirect(redirect_uri)


@bp.get("/login/oidc/callback")
def oidc_callback() -> Response | tuple[str, int]:
    oauth = current_app.extensions.get("console_oauth")
    oidc = runtime().console.oidc
    if oauth is None or oidc is None:
        return redirect(url_for(".login"))
    target = session.pop("oidc_next", None) or url_for("overview.index")
    try:
        token = oauth.cerdas.authorize_access_token()
        claims = dict(token.get("userinfo") or oauth.cerdas.userinfo(token=token))
        signed_in = account_from_claims(
            claims,
            roles_claim=oidc.roles_claim,
            region_claim=oidc.region_claim,
            username_claim=oidc.username_claim,
        )
    except (OAuthError, Forbidden) as exc:
        log.warning("OpenID Connect sign-in refused", reason=str(exc))
        flash(_("Masuk melalui penyedia identitas gagal: %(reason)s", reason=str(exc)), "error")
        return render_template("login.html", next=target, local=runtime().console.local_accounts, oidc=True), 403
    sign_in(signed_in)
    return redirect(_landing(safe_next(target)), 303)


@bp.post("/logout")
def logout() -> Response:
    session.clear()
    flash(_("Anda telah keluar."), "info")
    return redirect(url_for(".login"), 303)


@bp.post("/language")
def language() -> Response:
    chosen = request.form.get("language", "id")
    session["language"] = chosen if chosen in LANGUAGES else "id"
    return redirect(safe_next(request.form.get("next")), 303)
