"""An official's email written straight to bytes (RFC 5322 and MIME, RFC 2045-2047 and 2231).

Every email has the same shape: fixed headers, a plain-text and an HTML alternative and at most one
calendar. Building it as an ``EmailMessage`` and flattening it through the header registry and the
generator cost more than the SMTP conversation that carries it, and a delivery run builds one per
official; writing the few parts directly costs a few percent of that. The email package still reads what is
written here: the tests parse every shape back and compare it with what the letter was made from.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.parser import BytesParser, Parser
from email.policy import default as default_policy
from email.utils import format_datetime, parseaddr
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import quote

from services.notifications.mail.compose import Rendered, encoded_words, fold_subject, fold_words
from shared.logging import CORRELATION_HEADER

CRLF = "\r\n"
# The email package's own threshold: a body whose lines all fit is sent as written, so it stays readable
# in any mail client's source view; longer lines are encoded so no relay has to break them.
LINE_MAX = 78
# Short enough that 'To: ' and one encoded word stay within LINE_MAX (RFC 2047 allows 75).
ENCODED_WORD = 72
_ATOMS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+")  # RFC 5322 atext and spaces: no quoting needed
_TOKEN = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")  # RFC 2045 token, for the calendar's method


@dataclass(frozen=True, eq=False)
class Letter:
    """A message ready for the mail server: its envelope and its bytes, with CRLF line ends.

    It reads like an ``EmailMessage`` (``letter["To"]``, ``get_body``, ``iter_attachments``): the bytes are
    parsed with the email package the first time anything asks, so a reader sees what a mail client sees.
    """

    sender: str
    recipient: str
    data: bytes
    smtputf8: bool = False  # an address outside ASCII needs the server's SMTPUTF8 (RFC 6531)

    def as_bytes(self) -> bytes:
        return self.data

    @cached_property
    def message(self) -> EmailMessage:
        # Read with the line ends Python's own messages have, so bodies compare with the rendered text.
        data = self.data.replace(b"\r\n", b"\n")
        if self.smtputf8:  # its headers are UTF-8 as written (RFC 6532), not ASCII with encoded words
            parsed = Parser(policy=default_policy).parsestr(data.decode())
        else:
            parsed = BytesParser(policy=default_policy).parsebytes(data)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def __getitem__(self, name: str) -> Any:
        return self.message[name]

    def __contains__(self, name: str) -> bool:
        return name in self.message

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.message, name)


def build_message(
    *,
    sender: str,
    recipient: str,
    recipient_name: str,
    rendered: Rendered,
    msg_id: str,
    correlation_id: str | None,
    date: datetime,
    calendar: bytes | None,
    calendar_method: str = "PUBLISH",
    calendar_name: str = "tenggat.ics",
) -> Letter:
    """The email to one official: From, To, Subject, the stable Message-ID and the rest of the headers in a
    fixed order, then the text and HTML alternatives, with the calendar (if any) attached beside them."""
    envelope_from, from_field = _from(sender)
    recipient = _address(recipient)
    # The person's name only: a comma (position, academic titles) would read as a list of addresses.
    name = " ".join(recipient_name.replace(",", " ").split())
    head = [
        from_field,
        _address_field("To", name, recipient),
        fold_subject(rendered.subject, CRLF),
        f"Message-ID: {_checked(msg_id)}\r\n",
        f"Date: {format_datetime(date)}\r\n",
        "Content-Language: id, en\r\n",
        "Auto-Submitted: auto-generated\r\n",
    ]
    if correlation_id:
        head.append(_unstructured(CORRELATION_HEADER, correlation_id))
    head.append("MIME-Version: 1.0\r\n")
    content_type, body = _multipart("alternative", [_text("plain", rendered.text), _text("html", rendered.html)])
    if calendar is not None:
        alternative = f"Content-Type: {content_type}\r\n\r\n".encode() + body
        content_type, body = _multipart("mixed", [alternative, _calendar(calendar, calendar_method, calendar_name)])
    head.append(f"Content-Type: {content_type}\r\n\r\n")
    data = "".join(head).encode() + body
    return Letter(envelope_from, recipient, data, smtputf8=not (envelope_from + recipient).isascii())


def _text(subtype: str, text: str) -> bytes:
    body = text.replace("\r\n", "\n").replace("\r", "\n").encode()
    if not body.endswith(b"\n"):
        body += b"\n"
    if max(map(len, body.split(b"\n"))) <= LINE_MAX:
        encoding = "7bit" if body.isascii() else "8bit"
        payload = body.replace(b"\n", b"\r\n")
    else:
        # As the email package chooses: quoted-printable keeps mostly-ASCII text legible (and is not
        # taken for disguised text by spam filters), base64 is shorter for text mostly outside ASCII.
        quoted = binascii.b2a_qp(body, istext=True)
        encoded = base64.encodebytes(body)
        encoding, payload = ("quoted-printable", quoted) if len(quoted) <= len(encoded) else ("base64", encoded)
        payload = payload.replace(b"\n", b"\r\n")
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n'.encode()
        + payload
    )


def _calendar(calendar: bytes, method: str, filename: str) -> bytes:
    if not _TOKEN.fullmatch(method):
        raise ValueError(f"not a calendar method: {method!r}")
    head = (
        f'Content-Type: text/calendar; charset="utf-8"; method="{method}"\r\n'
        f"Content-Disposition: attachment; {_parameter('filename', filename)}\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
    )
    # Base64 keeps the calendar's own CRLFs and 75-octet lines exactly as RFC 5545 wrote them.
    return head.encode() + base64.encodebytes(calendar).replace(b"\n", b"\r\n")


def _parameter(name: str, value: str) -> str:
    if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
        return f'{name}="{value}"'
    return f"{name}*=utf-8''{quote(value, safe='')}"  # RFC 2231


def _multipart(subtype: str, parts: list[bytes]) -> tuple[str, bytes]:
    # '=_' never occurs in base64 or quoted-printable; the 7bit and 8bit parts are checked.
    boundary = "=_" + os.urandom(12).hex()
    while any(boundary.encode() in part for part in parts):
        boundary = "=_" + os.urandom(12).hex()
    delimiter = f"--{boundary}\r\n".encode()
    body = b"".join(delimiter + part + b"\r\n" for part in parts) + f"--{boundary}--\r\n".encode()
    return f'multipart/{subtype}; boundary="{boundary}"', body


@lru_cache(maxsize=8)
def _from(sender: str) -> tuple[str, str]:
    """The envelope address and the From field of the configured sender ('Name <address>')."""
    name, address = parseaddr(sender)
    address = _address(address)
    return address, _address_field("From", name, address)


def _address(address: str) -> str:
    if not address or any(char.isspace() or char in '<>",;' for char in address) or "@" not in address:
        raise ValueError(f"not an email address: {address!r}")
    return address


def _address_field(field: str, name: str, address: str) -> str:
    if not name:
        return f"{field}: {address}\r\n"
    if name.isascii() and name.isprintable():
        # A quoted string may be folded at its spaces (RFC 5322 3.2.4); unfolding gives them back.
        return fold_words(f"{field}:", f"{_word(name)} <{address}>", CRLF)
    # As the email package writes a name: plain words stay as they are, each run of words outside ASCII
    # becomes encoded words (RFC 2047 5), so the name stays legible where it can and a reader that drops
    # the space between two encoded words loses none that the name had.
    tokens: list[str] = []
    run: list[str] = []
    for word in name.split(" "):
        if word.isascii() and word.isprintable():
            tokens += _encoded_run(" ".join(run)) + [_word(word)]
            run = []
        else:
            run.append(word)
    tokens += _encoded_run(" ".join(run)) + [f"<{address}>"]
    lines = [f"{field}: {tokens[0]}"]
    for token in tokens[1:]:
        if len(lines[-1]) + 1 + len(token) <= LINE_MAX:
            lines[-1] += f" {token}"
        else:
            lines.append(token)
    return "\r\n ".join(lines) + CRLF


def _word(text: str) -> str:
    return text if _ATOMS.fullmatch(text) else _quoted(text)


def _encoded_run(text: str) -> list[str]:
    """``text`` as encoded words of at most ``ENCODED_WORD`` characters, split between characters."""
    return encoded_words(text, ENCODED_WORD, ENCODED_WORD)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unstructured(field: str, value: str) -> str:
    value = " ".join(value.split())
    return fold_words(f"{field}:", value, CRLF, encoded=not (value.isascii() and value.isprintable()))


def _checked(value: str) -> str:
    if not (value.isascii() and value.isprintable()):
        raise ValueError(f"not a header value: {value!r}")
    return value
