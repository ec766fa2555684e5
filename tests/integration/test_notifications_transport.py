"""The SMTP transport's answer is the server's answer to the message, not to the goodbye."""

import socket
import threading
import time
from email.message import EmailMessage

import pytest

from services.notifications.mail import SmtpError, SmtpTransport
from services.notifications.mail.transport import SmtpTimeouts


class GrumpyServer:
    """A minimal SMTP peer that takes the message and then answers QUIT with ``quit_reply``."""

    def __init__(
        self,
        quit_reply: bytes,
        data_reply: bytes = b"250 2.0.0 queued as 1\r\n",
        storing: threading.Event | None = None,
    ) -> None:
        self.quit_reply = quit_reply
        self.data_reply = data_reply
        # Set by the test once the client has waited past its command timeout: the server "stores" until then.
        self.storing = storing
        self.accepted = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        connection, _ = self.sock.accept()
        with connection, connection.makefile("rb") as lines:
            connection.sendall(b"220 grumpy ESMTP\r\n")
            in_data = False
            for raw in lines:
                line = raw.rstrip(b"\r\n")
                if in_data:
                    if line == b".":
                        in_data = False
                        if self.storing is not None:
                            self.storing.wait(30)
                        self.accepted += self.data_reply.startswith(b"250")
                        connection.sendall(self.data_reply)
                    continue
                verb = line.split(b" ", 1)[0].upper()
                if verb in (b"EHLO", b"HELO"):
                    connection.sendall(b"250 grumpy\r\n")
                elif verb == b"DATA":
                    in_data = True
                    connection.sendall(b"354 go ahead\r\n")
                elif verb == b"QUIT":
                    connection.sendall(self.quit_reply)
                    return
                else:
                    connection.sendall(b"250 ok\r\n")

    def close(self) -> None:
        self.sock.close()


def message() -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Cerdas <noreply@cerdas.example>"
    msg["To"] = "Kominfo <kominfo@tapteng.example>"
    msg["Subject"] = "Pengingat"
    msg.set_content("Isi")
    return msg


@pytest.mark.parametrize("quit_reply", [b"421 4.4.2 closing anyway\r\n", b""])
def test_a_message_the_server_took_counts_as_sent_whatever_quit_answers(quit_reply):
    server = GrumpyServer(quit_reply)
    try:
        assert SmtpTransport(f"smtp://127.0.0.1:{server.port}", timeout=5).send(message()) == "250 accepted"
        server.thread.join(timeout=5)
        assert server.accepted == 1
    finally:
        server.close()


def test_a_refused_message_is_still_a_failure():
    server = GrumpyServer(b"221 bye\r\n", data_reply=b"451 4.3.0 try later\r\n")
    try:
        with pytest.raises(SmtpError) as failure:
            SmtpTransport(f"smtp://127.0.0.1:{server.port}", timeout=5).send(message())
        assert failure.value.code == 451
    finally:
        server.close()


def test_an_email_that_cannot_be_built_fails_with_the_reason_and_the_rest_still_go(make_runtime, smtp_server, clock):
    from datetime import UTC, datetime

    from sqlalchemy import select, update

    from services.notifications.orm import Delivery
    from shared import events
    from tests.support.notifications import REGION_NAME, FakeOfficials, deliver_event, sweep, wire

    now = datetime(2023, 2, 20, 3, 0, tzinfo=UTC)
    clock.set(now)
    runtime = make_runtime(
        "notifications", officials_source=FakeOfficials(), transport=SmtpTransport(smtp_server.url, 5)
    )
    selected = events.RegionSelectedV1(
        cohort_year=2023,
        region_code="12.01",
        region_name=REGION_NAME,
        region_kind="kabupaten",
        timezone="Asia/Jakarta",
        rank=4,
        total=88.5,
    )
    deliver_event(runtime, wire("assessment.region_selected", selected, now, source="assessment"))
    with runtime.session_factory() as session:
        broken = session.scalars(select(Delivery).order_by(Delivery.recipient)).first()
        payload = {**broken.payload, "template": "no_such_template.j2"}
        session.execute(update(Delivery).where(Delivery.id == broken.id).values(payload=payload))
        session.commit()
    sweep(runtime)
    with runtime.session_factory() as session:
        states = {d.id: (d.status, d.last_error) for d in session.scalars(select(Delivery))}
    status, reason = states.pop(broken.id)
    assert status == "failed" and "could not build the email" in reason and "no_such_template" in reason
    assert {s for s, _ in states.values()} == {"sent"} and len(smtp_server.messages) == len(states) == 2


def test_a_malformed_officials_answer_postpones_the_reminder_and_is_not_cached(make_runtime, clock, smtp_server):
    from sqlalchemy import select

    from services.notifications.orm import OfficialsCache, Reminder
    from services.notifications.sending import scan_reminders
    from tests.support.notifications import FakeOfficials, deadline_set, deliver_event

    class Malformed(FakeOfficials):
        def get_json(self, path, params=None):
            self.calls += 1
            return {"region_code": "12.01", "officials": "nobody"}

    source = Malformed()
    runtime = make_runtime("notifications", officials_source=source, transport=SmtpTransport(smtp_server.url, 5))
    now = clock.now()
    deliver_event(runtime, deadline_set(now - __import__("datetime").timedelta(hours=1), now))
    assert scan_reminders(runtime.uow, runtime.notifier) == 0
    with runtime.session_factory() as session:
        assert session.scalars(select(OfficialsCache)).all() == []
        assert "pending" in {r.status for r in session.scalars(select(Reminder))}
    assert source.calls == 1


def _slow_store(data_end: float) -> tuple[float, int, Exception | None]:
    """The server answers the end of DATA only after the client has waited three command timeouts."""
    stored = threading.Event()
    server = GrumpyServer(b"221 bye\r\n", storing=stored)
    # Generous command timeouts so a loaded machine never trips them; the store takes longer than they allow.
    timeouts = SmtpTimeouts(connect=10, command=3, data_start=10, data_block=10, data_end=data_end)
    release = threading.Timer(4, stored.set)
    release.start()
    started, failure = time.monotonic(), None
    try:
        SmtpTransport(f"smtp://127.0.0.1:{server.port}", timeouts=timeouts).send(message())
    except SmtpError as exc:
        failure = exc
    finally:
        release.cancel()
        stored.set()
        server.thread.join(timeout=10)
        server.close()
    return time.monotonic() - started, server.accepted, failure


def test_a_server_storing_slowly_is_waited_for_at_the_end_of_data_as_rfc_5321_asks():
    waited, accepted, failure = _slow_store(data_end=30)
    assert failure is None and accepted == 1
    assert waited >= 4  # longer than any command timeout: the end of DATA has its own, ten minutes by default


def test_giving_up_before_the_end_of_data_answers_is_what_made_a_stored_message_look_failed():
    # The old single timeout: the server stored the message, the client saw a failure and would resend.
    _, accepted, failure = _slow_store(data_end=1)
    assert failure is not None and failure.code is None
    assert accepted == 1


def test_the_default_stage_timeouts_are_the_rfc_minimums():
    timeouts = SmtpTransport("smtp://mail.example:25", timeout=7).timeouts
    assert (timeouts.connect, timeouts.command, timeouts.data_start, timeouts.data_block, timeouts.data_end) == (
        7,
        300,
        120,
        180,
        600,
    )
