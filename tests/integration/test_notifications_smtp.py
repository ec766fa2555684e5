"""The SMTP transport against aiosmtpd on loopback: STARTTLS, implicit TLS, login, and refused logins."""

from __future__ import annotations

import ssl
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult

from services.notifications import domain
from services.notifications.mail import Rendered, SmtpError, SmtpTransport, build_message
from shared.devtools.smtp_sink import BoundPortController


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert)]
        + ["-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return cert, key


class Recorder:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], bool, bool]] = []

    async def handle_DATA(self, _server, session, envelope) -> str:  # noqa: ANN001
        self.received.append((list(envelope.rcpt_tos), session.authenticated, session.ssl is not None))
        return "250 2.0.0 OK"


def _check_login(_server, _session, _envelope, _mechanism, auth_data) -> AuthResult:  # noqa: ANN001
    return AuthResult(success=(auth_data.login, auth_data.password) == (b"cerdas", b"rahasia"))


def _server(certificate, *, implicit: bool) -> tuple[BoundPortController, Recorder]:
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    recorder = Recorder()
    options = {"ssl_context": context, "auth_require_tls": False} if implicit else {"tls_context": context}
    controller = BoundPortController(
        recorder,
        hostname="127.0.0.1",
        port=0,
        authenticator=_check_login,
        auth_required=True,
        require_starttls=not implicit,
        **options,
    )
    controller.start()
    return controller, recorder


def _message():
    rendered = Rendered("[Cerdas] Uji", "Isi\n", "<p>Isi</p>\n")
    return build_message(
        sender="Cerdas <noreply@cerdas.example>",
        recipient="kominfo@tapteng.example",
        recipient_name="Fachrul Rozi Hutagalung",
        rendered=rendered,
        msg_id="<abc.test@cerdas.example>",
        correlation_id=None,
        date=datetime(2023, 2, 28, tzinfo=UTC),
        calendar=None,
    )


def test_starttls_with_login_delivers(certificate):
    controller, recorder = _server(certificate, implicit=False)
    try:
        url = f"smtp+starttls://cerdas:rahasia@127.0.0.1:{controller.port}?cafile={certificate[0]}"
        SmtpTransport(url, timeout=5).send(_message())
    finally:
        controller.stop()
    assert recorder.received == [(["kominfo@tapteng.example"], True, True)]


def test_implicit_tls_with_login_delivers(certificate):
    controller, recorder = _server(certificate, implicit=True)
    try:
        url = f"smtps://cerdas:rahasia@127.0.0.1:{controller.port}?cafile={certificate[0]}"
        SmtpTransport(url, timeout=5).send(_message())
    finally:
        controller.stop()
    assert [(rcpt, authenticated) for rcpt, authenticated, _ in recorder.received] == [
        (["kominfo@tapteng.example"], True)
    ]


def test_an_untrusted_certificate_is_a_temporary_failure(certificate):
    controller, recorder = _server(certificate, implicit=False)
    try:
        untrusted = f"smtp+starttls://cerdas:rahasia@127.0.0.1:{controller.port}"
        with pytest.raises(SmtpError) as unverified:
            SmtpTransport(untrusted, timeout=5).send(_message())
    finally:
        controller.stop()
    assert unverified.value.code is None and "SSL" in unverified.value.message
    assert domain.classify_smtp_failure(None, unverified.value.message, 1, 8).status == "retry"
    assert recorder.received == []
