"""A loopback SMTP server for tests: records every message and answers MAIL, RCPT or DATA as scripted."""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from shared.devtools.smtp_sink import SERVER_HOSTNAME, BoundPortController

STAGES = ("MAIL", "RCPT", "DATA")
_REPLY = re.compile(r"^[245]\d\d(?:[ -].*)?$")
_ACCEPT = {"MAIL": "250 2.1.0 OK", "RCPT": "250 2.1.5 OK", "DATA": "250 2.0.0 Message accepted"}


@dataclass(frozen=True)
class ReceivedMessage:
    """One accepted message: its envelope, its parsed form and the bytes as they arrived."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    raw: bytes

    def __getitem__(self, header: str) -> str | None:
        value = self.message[header]
        return None if value is None else str(value)

    @property
    def subject(self) -> str | None:
        return self["Subject"]

    def text(self) -> str:
        """The plain-text body (or the first text part), decoded."""
        part = self.message.get_body(preferencelist=("plain", "html"))
        return "" if part is None else part.get_content()


@dataclass(frozen=True)
class Exchange:
    """One MAIL, RCPT or DATA command and the reply the server gave it."""

    stage: str
    argument: str
    reply: str

    @property
    def code(self) -> int:
        return int(self.reply[:3])


class SMTPTestServer:
    """An SMTP server on 127.0.0.1 and a free port; safe to inspect from the test thread.

    Every command is accepted unless a reply was scripted for it. ``script()`` queues replies
    per stage (the next DATA answers the first queued DATA reply, and so on) and ``then`` sets
    the answer once the queue is used up; ``reject_recipient()`` refuses one address on every
    RCPT. A message is recorded only when its DATA got a 2xx reply.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self._requested_port = port
        self._controller: BoundPortController | None = None
        self._changed = threading.Condition()
        self._messages: list[ReceivedMessage] = []
        self._transcript: list[Exchange] = []
        self._scripts: dict[str, deque[str]] = {stage: deque() for stage in STAGES}
        self._standing: dict[str, str] = {}
        self._refused: dict[str, str] = {}

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> SMTPTestServer:
        controller = BoundPortController(
            _Hooks(self), hostname=self.host, port=self._requested_port, server_hostname=SERVER_HOSTNAME
        )
        controller.start()
        self._controller = controller
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SMTPTestServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._controller is None:
            raise RuntimeError("the SMTP test server is not running")
        return self._controller.port

    @property
    def url(self) -> str:
        """The value for CERDAS_SMTP_URL that reaches this server."""
        return f"smtp://{self.host}:{self.port}"

    # -- scripting ---------------------------------------------------------------------------

    def script(self, replies: Iterable[str], *, stage: str = "DATA", then: str | None = None) -> None:
        """Answer the next ``stage`` commands with ``replies`` in order, then with ``then`` (or accept).

        ``server.script(["451 4.3.0 try later", "250 OK"])`` fails the next delivery transiently
        and accepts the one after; ``server.script([], then="550 5.1.1 no such user")`` refuses
        every delivery from now on.
        """
        stage = _check_stage(stage)
        replies = [_check_reply(reply) for reply in replies]
        with self._changed:
            self._scripts[stage].extend(replies)
            if then is not None:
                self._standing[stage] = _check_reply(then)

    def reject_recipient(self, address: str, reply: str = "550 5.1.1 No such user") -> None:
        """Refuse RCPT TO for ``address`` (compared case-insensitively) every time it is offered."""
        with self._changed:
            self._refused[address.lower()] = _check_reply(reply)

    def accept_recipient(self, address: str) -> None:
        """Stop refusing ``address``: the mailbox is fixed."""
        with self._changed:
            self._refused.pop(address.lower(), None)

    def reset(self) -> None:
        """Forget recorded messages, the transcript and every scripted reply."""
        with self._changed:
            self._messages.clear()
            self._transcript.clear()
            for queue in self._scripts.values():
                queue.clear()
            self._standing.clear()
            self._refused.clear()

    # -- inspection --------------------------------------------------------------------------

    @property
    def messages(self) -> list[ReceivedMessage]:
        with self._changed:
            return list(self._messages)

    @property
    def transcript(self) -> list[Exchange]:
        with self._changed:
            return list(self._transcript)

    def exchanges(self, stage: str = "DATA") -> list[Exchange]:
        stage = _check_stage(stage)
        return [exchange for exchange in self.transcript if exchange.stage == stage]

    def messages_to(self, address: str) -> list[ReceivedMessage]:
        wanted = address.lower()
        return [m for m in self.messages if wanted in (r.lower() for r in m.rcpt_tos)]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMessage]:
        """Block until at least ``count`` messages were accepted; fail the test if that takes too long."""
        self._wait(lambda: len(self._messages) >= count, timeout, f"{count} accepted message(s)")
        return self.messages

    def wait_for_exchanges(self, count: int, *, stage: str = "DATA", timeout: float = 5.0) -> list[Exchange]:
        """Block until ``stage`` was answered ``count`` times, whatever the replies were."""
        stage = _check_stage(stage)
        self._wait(
            lambda: sum(1 for e in self._transcript if e.stage == stage) >= count,
            timeout,
            f"{count} {stage} command(s)",
        )
        return self.exchanges(stage)

    def _wait(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"SMTP test server: waited {timeout:.1f}s for {what}; got {len(self._messages)} "
                        f"message(s); transcript: {[(e.stage, e.argument, e.reply) for e in self._transcript]}"
                    )
                self._changed.wait(remaining)

    # -- called from the server's thread -----------------------------------------------------

    def _next_reply(self, stage: str, argument: str) -> str:
        with self._changed:
            if stage == "RCPT" and argument.lower() in self._refused:
                return self._refused[argument.lower()]
            queue = self._scripts[stage]
            if queue:
                return queue.popleft()
            return self._standing.get(stage, _ACCEPT[stage])

    def _log(self, exchange: Exchange, message: ReceivedMessage | None = None) -> None:
        with self._changed:
            self._transcript.append(exchange)
            if message is not None:
                self._messages.append(message)
            self._changed.notify_all()


class _Hooks:
    """The aiosmtpd handler; kept apart from the server so aiosmtpd's introspection sees only hooks."""

    def __init__(self, server: SMTPTestServer) -> None:
        self._server = server

    async def handle_MAIL(
        self, _smtp: SMTP, _session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        reply = self._server._next_reply("MAIL", address)
        if reply.startswith("2"):
            envelope.mail_from = address
            envelope.mail_options.extend(options)
        self._server._log(Exchange("MAIL", address, reply))
        return reply

    async def handle_RCPT(
        self, _smtp: SMTP, _session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        reply = self._server._next_reply("RCPT", address)
        if reply.startswith("2"):
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(options)
        self._server._log(Exchange("RCPT", address, reply))
        return reply

    async def handle_DATA(self, _smtp: SMTP, _session: Session, envelope: Envelope) -> str:
        reply = self._server._next_reply("DATA", "")
        received = None
        if reply.startswith("2"):
            raw = envelope.original_content or envelope.content or b""
            if isinstance(raw, str):
                raw = raw.encode("utf-8", "surrogateescape")
            parsed = message_from_bytes(raw, policy=default_policy)
            assert isinstance(parsed, EmailMessage)
            received = ReceivedMessage(envelope.mail_from or "", tuple(envelope.rcpt_tos), parsed, raw)
        self._server._log(Exchange("DATA", "", reply), received)
        return reply


def _check_stage(stage: str) -> str:
    upper = stage.upper()
    if upper not in STAGES:
        raise ValueError(f"stage must be one of {', '.join(STAGES)}, not {stage!r}")
    return upper


def _check_reply(reply: str) -> str:
    if not _REPLY.match(reply):
        raise ValueError(f"{reply!r} is not an SMTP reply such as '250 OK' or '451 4.3.0 try later'")
    return reply


@pytest.fixture
def smtp_server() -> Iterator[SMTPTestServer]:
    """A fresh, running SMTP test server for one test."""
    with SMTPTestServer() as server:
        yield server
