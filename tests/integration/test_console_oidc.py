"""Signing in to the console through OpenID Connect, against a small standard provider run for the test."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

from services.console.app import create_app
from services.console.runtime import bootstrap
from services.console.settings import load_console_settings
from shared.clock import FixedClock
from shared.config import load_settings
from shared.migrate import upgrade
from tests.support.infra import free_port

CLIENT_ID, CLIENT_SECRET = "cerdas-console", "console-client-secret"


class Provider:
    """Discovery, authorization (code flow, consent assumed), token with an RS256 ID token, and keys."""

    def __init__(self, claims: dict) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}/realms/cerdas"
        self.claims = claims
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
        self.nonces: dict[str, str] = {}
        app = Flask("provider")
        base = "/realms/cerdas"

        @app.get(f"{base}/.well-known/openid-configuration")
        def discovery():  # noqa: ANN202
            return jsonify(
                issuer=self.issuer,
                authorization_endpoint=f"{self.issuer}/auth",
                token_endpoint=f"{self.issuer}/token",
                jwks_uri=f"{self.issuer}/certs",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
            )

        @app.get(f"{base}/auth")
        def authorize():  # noqa: ANN202
            self.nonces["code-1"] = request.args["nonce"]
            assert request.args["code_challenge_method"] == "S256"
            query = urlencode({"code": "code-1", "state": request.args["state"]})
            return redirect(f"{request.args['redirect_uri']}?{query}")

        @app.post(f"{base}/token")
        def token():  # noqa: ANN202
            assert request.form["code"] == "code-1" and request.form.get("code_verifier")
            now = int(time.time())
            claims = {
                "iss": self.issuer,
                "aud": CLIENT_ID,
                "iat": now,
                "exp": now + 300,
                "nonce": self.nonces["code-1"],
            }
            id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, {**claims, **self.claims}, self.key)
            return jsonify(access_token="access-1", token_type="Bearer", expires_in=300, id_token=id_token)

        @app.get(f"{base}/certs")
        def certs():  # noqa: ANN202
            return jsonify(keys=[self.key.as_dict(private=False)])

        self.server = make_server("127.0.0.1", self.port, app)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Provider:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()


@pytest.fixture
def provider() -> Iterator[Provider]:
    claims = {
        "sub": "f7c1",
        "preferred_username": "kominfo.tapteng",
        "name": "Fachrul Rozi",
        "realm_access": {"roles": ["region", "offline_access"]},
        "region": "12.01",
    }
    with Provider(claims) as running:
        yield running


def _console(tmp_path, provider: Provider):  # noqa: ANN001, ANN202
    env = {
        "CERDAS_VAR_DIR": str(tmp_path),
        "CERDAS_CONSOLE_OIDC_ISSUER": provider.issuer,
        "CERDAS_CONSOLE_OIDC_CLIENT_ID": CLIENT_ID,
        "CERDAS_CONSOLE_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "CERDAS_CONSOLE_OIDC_ROLES_CLAIM": "realm_access.roles",
        "CERDAS_CONSOLE_LOCAL_ACCOUNTS": "false",
    }
    console = load_console_settings(env)
    upgrade("console", console.database_url)
    clock = FixedClock(datetime.now(UTC))
    return create_app(bootstrap(load_settings(env), console, clock=clock, configure_logs=False))


def _sign_in(client, provider: Provider):  # noqa: ANN001, ANN202
    start = client.get("/login/oidc?next=/regions/12.01")
    assert start.status_code == 302 and start.headers["Location"].startswith(f"{provider.issuer}/auth")
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    callback = urlsplit(back.headers["Location"])
    assert callback.path == "/login/oidc/callback"
    return client.get(f"{callback.path}?{callback.query}"), parse_qs(callback.query)


def test_a_region_official_signs_in_through_the_provider_and_is_kept_to_their_region(tmp_path, provider):
    app = _console(tmp_path, provider)
    client = app.test_client()
    login = client.get("/login")
    assert "akun instansi (SSO)" in login.text and 'name="password"' not in login.text
    answer, _query = _sign_in(client, provider)
    assert answer.status_code == 303 and answer.headers["Location"] == "/regions/12.01"
    assert client.get("/").headers["Location"] == "/regions/12.01"
    assert client.get("/regions/72.71").status_code == 403


def test_an_account_the_provider_gives_no_cerdas_role_is_refused(tmp_path, provider):
    provider.claims["realm_access"] = {"roles": ["offline_access"]}
    app = _console(tmp_path, provider)
    client = app.test_client()
    answer, _query = _sign_in(client, provider)
    assert answer.status_code == 403 and "no Cerdas role" in answer.text
    assert client.get("/regions/12.01").headers["Location"].startswith("/login")


def test_a_forged_callback_without_the_state_the_console_issued_is_refused(tmp_path, provider):
    app = _console(tmp_path, provider)
    client = app.test_client()
    answer = client.get("/login/oidc/callback?code=code-1&state=forged")
    assert answer.status_code == 403
    assert client.get("/regions/12.01").headers["Location"].startswith("/login")
