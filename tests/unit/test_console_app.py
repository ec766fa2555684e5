"""The console's own behaviour, without the services: sign-in, sessions, CSRF, region scoping, audit, language."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from services.console import commands, handlers
from services.console.app import create_app
from services.console.orm import AuditEntry
from services.console.runtime import bootstrap
from services.console.settings import load_console_settings
from shared.clock import FixedClock
from shared.config import load_settings
from shared.migrate import upgrade

PASSWORD = "Kata-sandi-uji-2023!"


@pytest.fixture
def console(tmp_path):
    env = {
        "CERDAS_VAR_DIR": str(tmp_path),
        # Nothing listens here: a page that asked a service would answer 502/503, not what these tests expect.
        **{f"CERDAS_{name}_URL": "http://127.0.0.1:9" for name in ("ASSESSMENT", "MOU", "MENTORING", "NOTIFICATIONS")},
    }
    console_settings = load_console_settings(env)
    upgrade("console", console_settings.database_url)
    runtime = bootstrap(
        load_settings(env),
        console_settings,
        clock=FixedClock(datetime(2023, 2, 28, 3, tzinfo=UTC)),
        configure_logs=False,
    )
    with runtime.uow() as uow:
        handlers.add_user(uow, commands.AddUser("ani", "operator", None, PASSWORD, "Ani Rahmawati"))
        handlers.add_user(uow, commands.AddUser("kominfo-tapteng", "region", "12.01", PASSWORD))
        uow.commit()
    app = create_app(runtime)
    yield app, runtime
    runtime.engine.dispose()


def _token(html: bytes) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', html).group(1).decode()


def _sign_in(client, username: str, password: str = PASSWORD):  # noqa: ANN001, ANN202
    token = _token(client.get("/login").data)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def _audit(runtime) -> list[AuditEntry]:  # noqa: ANN001
    with runtime.uow() as uow:
        rows = list(uow.session.scalars(select(AuditEntry).order_by(AuditEntry.at)))
        uow.session.expunge_all()
        return rows


def test_signing_in_sets_an_httponly_samesite_session_and_is_audited(console):
    app, runtime = console
    client = app.test_client()
    page = client.get("/login")
    assert page.status_code == 200 and 'lang="id"' in page.text and "Masuk ke Konsol Cerdas" in page.text
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    answer = _sign_in(client, "ani")
    assert answer.status_code == 303 and answer.headers["Location"] == "/"
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    [row] = _audit(runtime)
    assert (row.actor, row.action, row.outcome, row.role) == ("ani", "auth.login", "ok", "operator")
    assert "password" not in row.details.get("fields", [])


def test_a_wrong_password_is_refused_and_audited_under_the_name_tried(console):
    app, runtime = console
    answer = _sign_in(app.test_client(), "ani", "salah-sandi-2023!")
    assert answer.status_code == 401 and "tidak sesuai" in answer.text
    [row] = _audit(runtime)
    assert (row.actor, row.outcome, row.status_code) == ("ani", "refused", 401)


def test_a_form_without_its_csrf_token_is_refused_and_audited(console):
    app, runtime = console
    client = app.test_client()
    _sign_in(client, "kominfo-tapteng")
    forged = client.post("/regions/12.01/feed", data={})
    assert forged.status_code == 400 and "tidak sah" in forged.text
    assert (_audit(runtime)[-1].action, _audit(runtime)[-1].status_code) == ("calendar.issue", 400)


def test_a_region_user_is_kept_to_its_own_region_before_any_service_is_asked(console):
    app, _runtime = console
    client = app.test_client()
    _sign_in(client, "kominfo-tapteng")
    assert client.get("/").headers["Location"] == "/regions/12.01"
    for path in ("/regions/12.02", "/regions/12.02/officials", "/cohorts", "/deliveries", "/partials/status"):
        assert client.get(path).status_code == 403, path
    token = _token(client.get("/login").data)
    assert client.post("/regions/12.02/feed", data={"csrf_token": token}).status_code == 403


def test_a_region_user_manages_its_calendar_feed_and_a_revoked_feed_is_gone(console):
    from services.console import views

    app, runtime = console
    client = app.test_client()
    _sign_in(client, "kominfo-tapteng")
    token = _token(client.get("/login").data)
    assert client.post("/regions/12.01/feed", data={"csrf_token": token}).status_code == 303
    with runtime.uow() as uow:
        feed = views.live_feed_token(uow, "12.01").token
    assert client.post("/regions/12.01/feed/revoke", data={"csrf_token": token}).status_code == 303
    assert app.test_client().get(f"/calendar/{feed}.ics").status_code == 404


def test_a_session_ends_after_its_hours_and_on_sign_out(console):
    app, runtime = console
    client = app.test_client()
    _sign_in(client, "ani")
    token = _token(client.get("/login").data)
    assert client.post("/logout", data={"csrf_token": token}).headers["Location"] == "/login"
    assert client.get("/cohorts").headers["Location"].startswith("/login")
    _sign_in(client, "ani")
    runtime.clock.advance(timedelta(hours=runtime.console.session_hours, minutes=1))
    assert client.get("/cohorts").headers["Location"].startswith("/login")


def test_cookies_are_secure_when_the_console_is_reached_over_tls(console):
    _app, runtime = console
    secure = create_app(replace(runtime, console=replace(runtime.console, public_url="https://konsol.example")))
    answer = _sign_in(secure.test_client(), "ani")
    assert "Secure" in answer.headers["Set-Cookie"]
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")


def test_english_on_request_and_the_vendored_files_are_served(console):
    app, _runtime = console
    client = app.test_client()
    token = _token(client.get("/login").data)
    client.post("/language", data={"language": "en", "next": "/login", "csrf_token": token})
    page = client.get("/login")
    assert 'lang="en"' in page.text and "Sign in to the Cerdas console" in page.text
    for path in (
        "vendor/htmx/htmx.min.js",
        "vendor/swagger-ui/swagger-ui-bundle.js",
        "vendor/swagger-ui/swagger-ui.css",
    ):
        assert client.get(f"/static/{path}").status_code == 200, path
    assert client.get("/health").json == {"status": "ok", "service": "console"}
    assert client.get("/ready").status_code == 200
