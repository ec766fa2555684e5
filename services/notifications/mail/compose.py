"""Composing officials' email: Jinja templates rendered to subject, text and HTML, and the MIME message."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from shared.clock import zone_abbreviation
from shared.logging import CORRELATION_HEADER

MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
MAIL_DOMAIN = "cerdas.example"


def template_environment() -> Environment:
    return Environment(
        loader=PackageLoader("services.notifications", "templates"),
        autoescape=select_autoescape(enabled_extensions=("j2",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(env: Environment, template_name: str, context: dict[str, Any]) -> Rendered:
    template = env.get_template(template_name)
    # Blocks are rendered on their own, without the template's top level, so shared macros come in here.
    context = {**context, "sign": env.get_template("_signature.j2").module}
    blocks = {}
    for block in ("subject", "text", "html"):
        blocks[block] = "".join(template.blocks[block](template.new_context(context)))
    subject = " ".join(blocks["subject"].split())
    # The subject is a header, not HTML: undo autoescaping there.
    subject = subject.replace("&amp;", "&").replace("&#39;", "'").replace("&#34;", '"').replace("&quot;", '"')
    return Rendered(subject, blocks["text"].strip() + "\n", blocks["html"].strip() + "\n")


def local_due_phrases(due_at: datetime, timezone: str) -> tuple[str, str]:
    local = due_at.astimezone(ZoneInfo(timezone))
    zone = zone_abbreviation(timezone)
    indonesian = f"{local.day} {MONTHS_ID[local.month - 1]} {local.year} pukul {local:%H.%M} {zone}"
    english = f"{local:%-d %B %Y}, {local:%H:%M} {zone}"
    return indonesian, english


def local_date_phrases(instant: datetime, timezone: str) -> tuple[str, str]:
    """The local calendar day of ``instant`` in Indonesian and English, e.g. '3 Maret 2023'."""
    local = instant.astimezone(ZoneInfo(timezone))
    return f"{local.day} {MONTHS_ID[local.month - 1]} {local.year}", f"{local:%-d %B %Y}"


def message_id(dedupe_key: str, recipient: str) -> str:
    """Stable per (reminder or notice, recipient): a resend is recognisably the same message."""
    digest = hashlib.sha256(f"{dedupe_key}|{recipient.lower()}".encode()).hexdigest()[:24]
    # Only letters, digits and hyphens may stand in the left part of a Message-ID (RFC 5322 dot-atom).
    readable = re.sub(r"[^A-Za-z0-9-]", "-", dedupe_key)[:48]
    return f"<{digest}.{readable}@{MAIL_DOMAIN}>"


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
    message = EmailMessage()
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
