"""The SMTP test server records what smtplib sends and answers exactly as scripted."""

from __future__ import annotations

import smtplib
import threading
from email.message import EmailMessage

import pytest

from tests.support import smtp as smtp_support
from tests.support.smtp import SMTPTestServer

# Bound under the fixture's own name so this module works with or without the shared conftest.
smtp_server = smtp_support.smtp_server


def _message(subject: str = "Pengingat tenggat", to: str = "bupati@kab.example") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Cerdas <noreply@cerdas.example>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{subject.replace(' ', '-')}@cerdas.example>"
    message["X-Correlation-ID"] = "9f1c2d3e-0000-4000-8000-000000000001"
    message.set_content("Tenggat penandatanganan MoU: 3 hari lagi.")
    return message


def _send(server: SMTPTestServer, message: EmailMessage, to: list[str] | None = None) -> dict:
    with smtplib.SMTP(server.host, server.port, timeout=5) as client:
        return client.send_message(message, to_addrs=to)


def test_binds_loopback_on_a_free_port(smtp_server):
    assert smtp_server.host == "127.0.0.1"
    assert smtp_server.port > 0
    assert smtp_server.url == f"smtp://127.0.0.1:{smtp_server.port}"


def test_records_envelope_and_parsed_message(smtp_server):
    refused = _send(smtp_server, _message(), to=["bupati@kab.example", "arsip@cerdas.example"])

    assert refused == {}
    [received] = smtp_server.wait_for(1)
    assert received.mail_from == "noreply@cerdas.example"
    assert received.rcpt_tos == ("bupati@kab.example", "arsip@cerdas.example")
    assert isinstance(received.message, EmailMessage)
    assert received.subject == "Pengingat tenggat"
    assert received["X-Correlation-ID"] == "9f1c2d3e-0000-4000-8000-000000000001"
    assert "3 hari lagi" in received.text()
    assert smtp_server.messages_to("ARSIP@cerdas.example") == [received]


def test_scripted_transient_failure_then_success(smtp_server):
    smtp_server.script(["451 4.3.0 try later", "250 OK"])

    with pytest.raises(smtplib.SMTPDataError) as first:
        _send(smtp_server, _message("first try"))
    assert first.value.smtp_code == 451
    assert smtp_server.messages == []

    _send(smtp_server, _message("second try"))
    [received] = smtp_server.wait_for(1)
    assert received.subject == "second try"
    assert [e.code for e in smtp_server.exchanges("DATA")] == [451, 250]

    # The script is used up: the next delivery gets the default acceptance.
    _send(smtp_server, _message("third try"))
    assert len(smtp_server.wait_for(2)) == 2


def test_scripted_permanent_refusal_of_a_recipient(smtp_server):
    smtp_server.script(["550 5.1.1 no such user"], stage="RCPT")

    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        _send(smtp_server, _message(to="hilang@kab.example"))
    assert refused.value.recipients["hilang@kab.example"][0] == 550
    assert smtp_server.messages == []
    assert [(e.stage, e.argument, e.code) for e in smtp_server.exchanges("RCPT")] == [
        ("RCPT", "hilang@kab.example", 550)
    ]


def test_standing_reply_refuses_every_delivery(smtp_server):
    smtp_server.script([], then="554 5.7.1 relay denied")

    for attempt in range(3):
        with pytest.raises(smtplib.SMTPDataError) as refused:
            _send(smtp_server, _message(f"attempt {attempt}"))
        assert refused.value.smtp_code == 554
    assert smtp_server.messages == []
    assert len(smtp_server.wait_for_exchanges(3)) == 3


def test_one_refused_recipient_does_not_stop_the_others(smtp_server):
    smtp_server.reject_recipient("Lama@kab.example")

    refused = _send(smtp_server, _message(), to=["lama@kab.example", "baru@kab.example"])

    assert refused["lama@kab.example"][0] == 550
    [received] = smtp_server.wait_for(1)
    assert received.rcpt_tos == ("baru@kab.example",)


def test_scripted_mail_from_refusal(smtp_server):
    smtp_server.script(["421 4.7.0 closing"], stage="mail")

    with pytest.raises(smtplib.SMTPSenderRefused) as refused:
        _send(smtp_server, _message())
    assert refused.value.smtp_code == 421


def test_rejects_malformed_replies_and_stages(smtp_server):
    with pytest.raises(ValueError, match="not an SMTP reply"):
        smtp_server.script(["OK"])
    with pytest.raises(ValueError, match="not an SMTP reply"):
        smtp_server.script(["354 go ahead"])
    with pytest.raises(ValueError, match="stage must be one of"):
        smtp_server.script(["250 OK"], stage="HELO")


def test_reset_forgets_messages_and_scripts(smtp_server):
    _send(smtp_server, _message("before reset"))
    smtp_server.script(["451 4.3.0 try later"])
    smtp_server.reject_recipient("bupati@kab.example")
    smtp_server.reset()

    _send(smtp_server, _message("after reset"))
    assert [m.subject for m in smtp_server.wait_for(1)] == ["after reset"]
    assert [e.code for e in smtp_server.exchanges("DATA")] == [250]


def test_wait_for_fails_clearly_when_mail_never_comes(smtp_server):
    with pytest.raises(AssertionError, match=r"waited 0\.2s for 1 accepted message"):
        smtp_server.wait_for(1, timeout=0.2)


def test_concurrent_senders_are_all_recorded(smtp_server):
    errors: list[BaseException] = []

    def send(index: int) -> None:
        try:
            _send(smtp_server, _message(f"message {index}"))
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    subjects = sorted(m.subject for m in smtp_server.wait_for(8))
    assert subjects == sorted(f"message {i}" for i in range(8))


def test_server_stops_listening_after_the_context_ends():
    with SMTPTestServer() as server:
        port = server.port
        _send(server, _message())
    with pytest.raises(OSError), smtplib.SMTP("127.0.0.1", port, timeout=1):
        pass
