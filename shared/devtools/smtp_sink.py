"""An SMTP server that keeps every message as a ``.eml`` file, for the embedded run (``cerdas dev smtp-sink``)."""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import sys
import threading
import uuid
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

# aiosmtpd otherwise asks the resolver for this host's FQDN, which can stall start-up for seconds.
SERVER_HOSTNAME = "cerdas-smtp-sink"

# aiosmtpd warns on every successful AUTH about its own legacy attribute; nothing here uses it.
warnings.filterwarnings("ignore", message="Session.login_data is deprecated")


class BoundPortController(Controller):
    """An aiosmtpd Controller that also accepts port 0 and then reports the port it was given."""

    def _trigger_server(self) -> None:
        if self.port == 0 and self.server is not None:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def _accept_any_login(
    _server: SMTP, _session: Session, _envelope: Envelope, _mechanism: str, _auth_data: LoginPassword
) -> AuthResult:
    # A sink for local runs: credentials configured in CERDAS_SMTP_URL must not make sending fail.
    return AuthResult(success=True)


class MailSink:
    """Stores each received message under ``maildir`` and reports it to ``on_message``.

    Files are named ``<UTC time>-<sequence>-<random>.eml`` so a plain sort lists them in
    arrival order, and each is written under a temporary name first so a reader never sees a
    half-written message. The envelope is kept as ``X-Envelope-From``/``X-Envelope-To`` header
    lines on top, because Bcc recipients appear nowhere else.
    """

    def __init__(
        self,
        maildir: str | os.PathLike[str],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        on_message: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.maildir = Path(maildir).resolve()
        self.host = host
        self._requested_port = port
        self._on_message = on_message
        self._sequence = itertools.count(1)
        self._lock = threading.Lock()
        self._controller: BoundPortController | None = None

    @property
    def port(self) -> int:
        """The listening port (the one the OS chose when started with port 0)."""
        return self._controller.port if self._controller is not None else self._requested_port

    @property
    def url(self) -> str:
        """The value for CERDAS_SMTP_URL that reaches this sink."""
        return f"smtp://{self.host}:{self.port}"

    def start(self) -> None:
        self.maildir.mkdir(parents=True, exist_ok=True)
        controller = BoundPortController(
            self,
            hostname=self.host,
            port=self._requested_port,
            server_hostname=SERVER_HOSTNAME,
            authenticator=_accept_any_login,
            auth_require_tls=False,
        )
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> MailSink:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def messages(self) -> list[Path]:
        """Stored messages, oldest first."""
        return sorted(self.maildir.glob("*.eml"))

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            path = self._store(envelope.mail_from or "", list(envelope.rcpt_tos), raw)
        except OSError as exc:
            # A transient answer makes the sender keep the message and try again later.
            print(f"cerdas dev smtp-sink: could not store a message: {exc}", file=sys.stderr, flush=True)
            return "451 4.3.0 Could not store the message; try again later"
        if self._on_message is not None:
            self._on_message(_summary(envelope.mail_from or "", list(envelope.rcpt_tos), raw, path))
        return "250 2.0.0 Message accepted for delivery"

    def _store(self, mail_from: str, rcpt_tos: list[str], raw: bytes) -> Path:
        with self._lock:
            sequence = next(self._sequence)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        name = f"{stamp}-{sequence:06d}-{uuid.uuid4().hex[:8]}.eml"
        envelope_lines = f"X-Envelope-From: <{mail_from}>\r\nX-Envelope-To: {', '.join(f'<{r}>' for r in rcpt_tos)}\r\n"
        final = self.maildir / name
        partial = self.maildir / f".{name}.partial"
        with open(partial, "wb") as handle:
            handle.write(envelope_lines.encode("utf-8"))
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, final)
        return final


def _summary(mail_from: str, rcpt_tos: list[str], raw: bytes, path: Path) -> dict[str, Any]:
    headers: EmailMessage = BytesParser(policy=default_policy).parsebytes(raw, headersonly=True)  # type: ignore[assignment]

    def header(name: str) -> str | None:
        value = headers.get(name)
        return None if value is None else str(value)

    return {
        "mail_from": mail_from,
        "rcpt_tos": rcpt_tos,
        "from": header("From"),
        "to": header("To"),
        "subject": header("Subject"),
        "message_id": header("Message-ID"),
        "correlation_id": header("X-Correlation-ID"),
        "size": len(raw),
        "path": str(path),
    }


def json_line_logger(stream: TextIO = sys.stdout) -> Callable[[dict[str, Any]], None]:
    """Writes one JSON object per message, shaped like the services' own JSON log lines."""
    lock = threading.Lock()

    def log(summary: dict[str, Any]) -> None:
        record = {
            "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "level": "info",
            "logger": "cerdas.smtp_sink",
            "service": "smtp-sink",
            "event": "mail received",
            **summary,
        }
        with lock:
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            stream.flush()

    return log


def main(args: argparse.Namespace) -> int:
    sink = MailSink(args.maildir, host=args.host, port=int(args.port), on_message=json_line_logger())
    try:
        sink.start()
    except OSError as exc:
        print(
            f"cerdas dev smtp-sink: cannot listen on {args.host}:{args.port} ({exc.strerror or exc}). "
            "Stop whatever listens there, or choose another port with --port (CERDAS_SMTP_PORT for the "
            "Procfile) and point CERDAS_SMTP_URL at it.",
            file=sys.stderr,
            flush=True,
        )
        return 1
    print(f"cerdas dev smtp-sink: listening on {sink.url}, storing mail in {sink.maildir}", flush=True)

    stopping = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        # A bounded wait keeps the main thread returning to the interpreter, where signal handlers run.
        while not stopping.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sink.stop()
    return 0
