"""Composing officials' email: Jinja templates rendered to subject, text and HTML, and the MIME message."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import asdict, dataclass
from functools import cache, lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from services.notifications.mail.wording import PROGRAMME_NAME
from shared.config import NotificationSettings

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
        # The templates ship with the code: no need to look at each file's time before every email.
        auto_reload=False,
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
        template = _environment(escaped).get_template(template_name)
        sender, sign = _signature(escaped, letterhead)
        for block in names:
            scope = template.new_context({**context, "sign": sign, "sender": sender})
            blocks[block] = "".join(template.blocks[block](scope))
    subject = " ".join(blocks["subject"].split())
    return Rendered(subject, _tidy(blocks["text"]), _tidy(blocks["html"]))


@lru_cache(maxsize=16)
def _signature(escaped: bool, letterhead: Letterhead) -> tuple[dict[str, str], Any]:
    # Blocks are rendered on their own, without the template's top level, so the closing comes in here. It
    # depends on the letterhead alone, and making its module costs as much as rendering a letter.
    sender = asdict(letterhead)
    return sender, _environment(escaped).get_template(SIGNATURE).make_module({"letterhead": sender})


def _tidy(body: str) -> str:
    # Optional paragraphs leave runs of blank lines behind; a letter has one blank line between paragraphs.
    return re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"


def message_id(dedupe_key: str, recipient: str) -> str:
    """Stable per (reminder or notice, recipient): a resend is recognisably the same message."""
    digest = hashlib.sha256(f"{dedupe_key}|{recipient.lower()}".encode()).hexdigest()[:24]
    # Only letters, digits and hyphens may stand in the left part of a Message-ID (RFC 5322 dot-atom).
    readable = re.sub(r"[^A-Za-z0-9-]", "-", dedupe_key)[:48]
    return f"<{digest}.{readable}@{MAIL_DOMAIN}>"


HEADER_PREFIX = "Subject:"
ENCODED_WORD_MAX = 75  # RFC 2047


def fold_subject(subject: str, linesep: str = "\n", width: int = 78) -> str:
    """'Subject: ...' folded to ``width``: an ASCII subject at its spaces (unfolding restores each space);
    any other as RFC 2047 encoded words, the whitespace between which readers drop."""
    return fold_words(HEADER_PREFIX, subject, linesep, width, encoded=not subject.isascii())


def fold_words(prefix: str, text: str, linesep: str = "\n", width: int = 78, *, encoded: bool = False) -> str:
    """A header field ``prefix`` (e.g. 'To:') with ``text`` folded at its spaces to ``width``, or written as
    encoded words."""
    text = " ".join(text.split())
    lines = _encoded_lines(text, width, prefix) if encoded else _ascii_lines(text, width, prefix)
    return f"{linesep} ".join(lines) + linesep


def _ascii_lines(text: str, width: int, prefix: str) -> list[str]:
    lines = [prefix]
    for word in text.split(" "):
        # The first word stays beside the field name however long it is: a fold there reads as a space.
        if len(lines) == 1 and lines[0] == prefix or len(lines[-1]) + 1 + len(word) <= width - 1:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def _encoded_lines(text: str, width: int, prefix: str) -> list[str]:
    first_room = min(ENCODED_WORD_MAX, width - len(prefix) - 1)
    words = encoded_words(text, first_room, min(ENCODED_WORD_MAX, width - 1)) or [_encoded_word("")]
    return [f"{prefix} {words[0]}", *words[1:]]


def encoded_words(text: str, first_room: int, room: int) -> list[str]:
    """``text`` as RFC 2047 encoded words, the first at most ``first_room`` characters long and the others
    ``room``. A multibyte character is never split between two words: each word decodes on its own."""
    words: list[str] = []
    chunk, size = "", 0
    for char in text:
        octets = len(char.encode())
        limit = room if words else first_room
        if chunk and len(_encoded_word("")) + 4 * -(-(size + octets) // 3) > limit:
            words.append(_encoded_word(chunk))
            chunk, size = "", 0
        chunk += char
        size += octets
    if chunk:
        words.append(_encoded_word(chunk))
    return words


def _encoded_word(text: str) -> str:
    return f"=?utf-8?b?{base64.b64encode(text.encode()).decode('ascii')}?="
