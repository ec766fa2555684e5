"""Composing officials' email: Jinja templates rendered to subject, text and HTML, and the MIME message."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, formataddr
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from services.notifications.mail.wording import PROGRAMME_NAME
from shared.config import NotificationSettings
from shared.logging import CORRELATION_HEADER

MAIL_DOMAIN = "cerdas.example"
SIGNATURE = "_signature.j2"


@dataclass(frozen=True)
class Letterhead:
    """Who signs every email and how to reach them: the closing of a ministry letter."""

    unit: str
    ministry: str
    unit_en: str
    ministry_en: str
    address: str
    phone: str

    @classmethod
    def from_settings(cls, settings: NotificationSettings) -> Letterhead:
        return cls(
            unit=settings.sender_unit,
            ministry=settings.sender_name,
            unit_en=settings.sender_unit_en,
            ministry_en=settings.sender_name_en,
            address=settings.contact_address,
            phone=settings.contact_phone,
        )


DEFAULT_LETTERHEAD = Letterhead.from_settings(NotificationSettings())


@cache
def _environment(escaped: bool) -> Environment:
    # Two environments over the same templates: HTML escapes what regions and mentors write, while the
    # subject and the plain text must carry it as written ('&', not '&amp;').
    env = Environment(
        loader=PackageLoader("services.notifications", "templates"),
        autoescape=escaped,  # noqa: S701 (the plain-text environment renders no HTML)
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["programme"] = PROGRAMME_NAME
    return env


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(template_name: str, context: dict[str, Any], letterhead: Letterhead | None = None) -> Rendered:
    """Subject, plain text and HTML of one template, signed with ``letterhead`` (the defaults if None)."""
    letterhead = letterhead or DEFAULT_LETTERHEAD
    blocks = {}
    for escaped, names in ((False, ("subject", "text")), (True, ("html",))):
        env = _environment(escaped)
        template = env.get_template(template_name)
        # Blocks are rendered on their own, without the template's top level, so the closing comes in here.
        sender = asdict(letterhead)
        sign = env.get_template(SIGNATURE).make_module({"letterhead": sender})
        for block in names:
            scope = template.new_context({**context, "sign": sign, "sender": sender})
            blocks[block] = "".join(template.blocks[block](scope))
    subject = " ".join(blocks["subject"].split())
    return Rendered(subject, _tidy(blocks["text"]), _tidy(blocks["html"]))


def _tidy(body: str) -> str:
    # Optional paragraphs leave runs of blank lines behind; a letter has one blank line between paragraphs.
    return re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"


def message_id(dedupe_key: str, recipient: str) -> str:
    """Stable per (reminder or notice, recipient): a resend is recognisably the same message."""
    digest = hashlib.sha256(f"{dedupe_key}|{recipient.lower()}".encode()).hexdigest()[:24]
    # Only letters, digits and hyphens may stand in the left part of a Message-ID (RFC 5322 dot-atom).
    readable = re.sub(r"[^A-Za-z0-9-]", "-", dedupe_key)[:48]
    return f"<{digest}.{readable}@{MAIL_DOMAIN}>"


class _LetterPolicy(EmailPolicy):
    """The standard policy, but the subject is folded only where it has a space.

    The standard folder may break a subject right after 'Subject:' or beside an encoded word, and mail
    clients then show it with a leading or doubled space.
    """

    def fold(self, name: str, value: str) -> str:
        if name.lower() == "subject":
            return fold_subject(str(value), self.linesep, self.max_line_length or 78)
        return super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        if name.lower() == "subject":
            return fold_subject(str(value), self.linesep, self.max_line_length or 78).encode("ascii")
        return super().fold_binary(name, value)


LETTER_POLICY = _LetterPolicy()
HEADER_PREFIX = "Subject:"
ENCODED_WORD_MAX = 75  # RFC 2047


def fold_subject(subject: str, linesep: str = "\n", width: int = 78) -> str:
    """'Subject: ...' folded to ``width``: an ASCII subject at its spaces (unfolding restores each space);
    any other as RFC 2047 encoded words, the whitespace between which readers drop."""
    subject = " ".join(subject.split())
    lines = _ascii_lines(subject, width) if subject.isascii() else _encoded_lines(subject, width)
    return f"{linesep} ".join(lines) + linesep


def _ascii_lines(subject: str, width: int) -> list[str]:
    lines = [HEADER_PREFIX]
    for word in subject.split(" "):
        # The first word stays beside the field name however long it is: a fold there reads as a space.
        if len(lines) == 1 and lines[0] == HEADER_PREFIX or len(lines[-1]) + 1 + len(word) <= width - 1:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def _encoded_lines(subject: str, width: int) -> list[str]:
    words: list[str] = []
    chunk = ""
    for char in subject:
        room = min(ENCODED_WORD_MAX, width - (len(HEADER_PREFIX) + 1 if not words else 1))
        # A multibyte character is never split between two words: each word decodes on its own.
        if chunk and len(_encoded_word(chunk + char)) > room:
            words.append(_encoded_word(chunk))
            chunk = ""
        chunk += char
    words.append(_encoded_word(chunk))
    return [f"{HEADER_PREFIX} {words[0]}", *words[1:]]


def _encoded_word(text: str) -> str:
    return f"=?utf-8?b?{base64.b64encode(text.encode()).decode('ascii')}?="


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
) -> EmailMessage:
    message = EmailMessage(policy=LETTER_POLICY)
    message["From"] = sender
    # The person's name only: Python's header folding breaks a long quoted name containing commas
    # (position and academic titles) into several addresses.
    message["To"] = formataddr((" ".join(recipient_name.replace(",", " ").split()), recipient))
    message["Subject"] = rendered.subject
    message["Message-ID"] = msg_id
    message["Date"] = format_datetime(date)
    message["Content-Language"] = "id, en"
    message["Auto-Submitted"] = "auto-generated"
    if correlation_id:
        message[CORRELATION_HEADER] = correlation_id
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    if calendar is not None:
        message.add_attachment(
            calendar, maintype="text", subtype="calendar", filename=calendar_name, params={"method": calendar_method}
        )
    return message
