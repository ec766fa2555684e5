"""Handing email to the mail server over SMTP, with the failures classified by the server's reply code."""

from __future__ import annotations

import smtplib
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from services.notifications.mail.letter import Letter


class Transport(Protocol):
    """Hands one message to the mail server, or raises ``SmtpError``."""

    def send(self, message: Letter | EmailMessage) -> str: ...


class SmtpError(Exception):
    """A send that did not go through; ``code`` is the server's reply code, None for connection trouble."""

    def __init__(self, code: int | None, message: str) -> None:
        super().__init__(f"{code} {message}" if code else message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SmtpTimeouts:
    """How long the client waits at each stage, after RFC 5321 section 4.5.3.2. A server may take up to
    ten minutes to answer the end of DATA while it stores the message; giving up sooner and retrying
    sends the official the same email twice."""

    connect: float = 20.0
    command: float = 300.0  # the greeting, EHLO, STARTTLS, AUTH, MAIL, RCPT, QUIT
    data_start: float = 120.0
    data_block: float = 180.0
    data_end: float = 600.0


class _StagedTimeouts:
    """Sets the socket's timeout for the stage the conversation is in (mixed into smtplib's clients)."""

    _timeouts: SmtpTimeouts
    _in_data = False

    def _stage(self, seconds: float) -> None:
        sock = getattr(self, "sock", None)
        if sock is not None:
            sock.settimeout(seconds)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = super()._get_socket(host, port, timeout)  # type: ignore[misc]
        sock.settimeout(self._timeouts.command)  # the TCP connect used the connect timeout; now the greeting
        return sock

    def putcmd(self, cmd: str, args: str = "") -> None:
        self._in_data = cmd.lower() == "data"
        self._stage(self._timeouts.data_start if self._in_data else self._timeouts.command)
        super().putcmd(cmd, args)  # type: ignore[misc]

    def send(self, s: bytes | str) -> None:
        if self._in_data and isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self._stage(self._timeouts.data_block)
            super().send(s)  # type: ignore[misc]
            self._in_data = False
            self._stage(self._timeouts.data_end)
            return
        super().send(s)  # type: ignore[misc]


class _Smtp(_StagedTimeouts, smtplib.SMTP):
    def __init__(self, host: str, port: int, timeouts: SmtpTimeouts) -> None:
        self._timeouts = timeouts
        super().__init__(host, port, timeout=timeouts.connect)


class _SmtpSsl(_StagedTimeouts, smtplib.SMTP_SSL):
    def __init__(self, host: str, port: int, timeouts: SmtpTimeouts, context: ssl.SSLContext) -> None:
        self._timeouts = timeouts
        super().__init__(host, port, timeout=timeouts.connect, context=context)


class SmtpTransport:
    """SMTP from a URL: smtp:// (plain, ?starttls=true to upgrade), smtp+starttls://, smtps:// (TLS).

    User and password in the URL log in after TLS is up; ``?cafile=/path/ca.pem`` trusts a private
    certificate authority besides the system's.
    """

    def __init__(
        self, url: str, timeout: float = 20.0, timeouts: SmtpTimeouts | None = None, keep_alive: float = 0.0
    ) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.scheme = parts.scheme
        self.port = parts.port or {"smtps": 465, "smtp+starttls": 587}.get(parts.scheme, 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        query = parse_qs(parts.query)
        self.starttls = parts.scheme == "smtp+starttls" or query.get("starttls", ["false"])[0] in ("1", "true")
        # ``timeout`` (CERDAS_SMTP_TIMEOUT_SECONDS) bounds the TCP connect; each later stage waits as long
        # as RFC 5321 asks, unless a caller (a test) chooses otherwise.
        self.timeouts = timeouts or SmtpTimeouts(connect=timeout)
        self.cafile = query.get("cafile", [None])[0]
        # Seconds an idle connection is kept for the next message; 0 opens one per message. A delivery run
        # sends its messages back to back, and a connection (EHLO, STARTTLS, AUTH) costs more than a message.
        self.keep_alive = keep_alive
        # Idle connections, most recently used last; a sending thread takes one or opens its own.
        self._idle: list[tuple[smtplib.SMTP, float]] = []
        self._lock = threading.Lock()

    def _tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.cafile:
            context.load_verify_locations(cafile=self.cafile)
        return context

    def send(self, message: Letter | EmailMessage) -> str:
        if isinstance(message, Letter):
            sender, recipient = message.sender, message.recipient
        else:
            sender, recipient = parseaddr(str(message["From"]))[1], parseaddr(str(message["To"]))[1]
        try:
            client = self._reusable() or self._connect()
            try:
                if isinstance(message, Letter):
                    # The bytes as written, with the envelope the letter carries: nothing to flatten again.
                    options = ["SMTPUTF8"] if message.smtputf8 else []
                    refused = client.sendmail(sender, [recipient], message.data, mail_options=options)
                else:
                    refused = client.send_message(message, from_addr=sender, to_addrs=[recipient])
                if refused:
                    code, text = refused[recipient]
                    raise SmtpError(code, text.decode(errors="replace"))
            except BaseException:
                client.close()
                raise
            if self.keep_alive > 0:
                with self._lock:
                    self._idle.append((client, time.monotonic()))
                return "250 accepted"
            # The server has taken the message: whatever QUIT answers, it must not count as a failure,
            # or a retry would send the official the same email twice.
            _quit(client)
            return "250 accepted"
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise SmtpError(code, text.decode(errors="replace") if isinstance(text, bytes) else str(text)) from exc
        except smtplib.SMTPResponseException as exc:
            text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
            raise SmtpError(exc.smtp_code, text) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise SmtpError(None, f"{exc.__class__.__name__}: {exc}") from exc

    def _connect(self) -> smtplib.SMTP:
        client: smtplib.SMTP
        if self.scheme == "smtps":
            client = _SmtpSsl(self.host, self.port, self.timeouts, self._tls_context())
        else:
            client = _Smtp(self.host, self.port, self.timeouts)
        try:
            if self.starttls:
                client.starttls(context=self._tls_context())
            if self.username:
                client.login(self.username, self.password or "")
        except BaseException:
            client.close()
            raise
        return client

    def _reusable(self) -> smtplib.SMTP | None:
        """An idle connection a message went over, if it is fresh and still answers. Checked before MAIL,
        so a connection the server dropped while idle costs a reconnect, never a message."""
        while True:
            with self._lock:
                if not self._idle:
                    return None
                client, since = self._idle.pop()
            idle = time.monotonic() - since
            if idle > self.keep_alive:
                _quit(client)
                continue
            if idle > NOOP_AFTER_SECONDS:
                try:
                    code, _ = client.noop()
                except (smtplib.SMTPException, OSError):
                    code = None
                if code != 250:
                    client.close()
                    continue
            return client

    def close(self) -> None:
        """Say goodbye on every idle connection."""
        with self._lock:
            idle, self._idle = self._idle, []
        for client, _ in idle:
            _quit(client)


# Back to back, a connection used a moment ago is taken as alive; after a pause it is asked first (NOOP).
NOOP_AFTER_SECONDS = 1.0


def _quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()
