"""Email for officials: rendering from Jinja templates, a calendar attachment, and SMTP delivery."""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import icalendar
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

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
ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
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
    zone = ZONE_ABBREVIATIONS.get(timezone, timezone)
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


def deadline_calendar(deadline_id: str, title: str, due_at: datetime, timezone: str, stamp: datetime) -> bytes:
    """A one-hour calendar entry ending at the deadline, in the region's time zone (RFC 5545)."""
    end = due_at.astimezone(ZoneInfo(timezone)).replace(microsecond=0, second=0)
    entry = {
        "uid": f"{deadline_id}@{MAIL_DOMAIN}",
        "summary": f"Tenggat: {title}",
        "description": f"Batas waktu / deadline: {title}",
        "start": (end - timedelta(hours=1)).isoformat(),
        "end": end.isoformat(),
        "alarm_days": 1,
    }
    return calendar_bytes({"method": "PUBLISH", "timezone": timezone, "events": [entry]}, stamp)


def calendar_bytes(spec: dict[str, Any], stamp: datetime, attendee: str | None = None) -> bytes:
    """Any calendar a notice carries, from the JSON spec stored with its delivery (RFC 5545).

    ``spec``: method (PUBLISH, or REQUEST for an invitation), timezone, organizer (for REQUEST) and
    events, each with uid, summary, description, start, end (ISO instants), optional location,
    sequence and alarm_days. Times are written in the region's own zone with its VTIMEZONE.
    """
    zone = ZoneInfo(spec["timezone"])
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Cerdas//Menuju Kota Cerdas//ID")
    calendar.add("version", "2.0")
    calendar.add("method", spec.get("method", "PUBLISH"))
    for entry in spec["events"]:
        event = icalendar.Event()
        event.add("uid", entry["uid"])
        event.add("dtstamp", stamp)
        event.add("dtstart", datetime.fromisoformat(entry["start"]).astimezone(zone).replace(microsecond=0))
        event.add("dtend", datetime.fromisoformat(entry["end"]).astimezone(zone).replace(microsecond=0))
        event.add("summary", entry["summary"])
        event.add("description", entry["description"])
        if entry.get("location"):
            event.add("location", entry["location"])
        if entry.get("sequence") is not None:
            event.add("sequence", int(entry["sequence"]))
        if spec.get("method") == "REQUEST":
            # An invitation names its organiser and the one person this copy is addressed to.
            event.add("organizer", f"mailto:{spec['organizer']}")
            if attendee:
                event.add("attendee", f"mailto:{attendee}", parameters={"ROLE": "REQ-PARTICIPANT", "RSVP": "FALSE"})
        if entry.get("alarm_days"):
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", entry["summary"])
            alarm.add("trigger", timedelta(days=-int(entry["alarm_days"])))
            event.add_component(alarm)
        calendar.add_component(event)
    if hasattr(calendar, "add_missing_timezones"):
        calendar.add_missing_timezones()
    return calendar.to_ical()


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


class SmtpError(Exception):
    """A send that did not go through; ``code`` is the server's reply code, None for connection trouble."""

    def __init__(self, code: int | None, message: str) -> None:
        super().__init__(f"{code} {message}" if code else message)
        self.code = code
        self.message = message


class SmtpTransport:
    """SMTP from a URL: smtp:// (plain, ?starttls=true to upgrade), smtp+starttls://, smtps:// (TLS).

    User and password in the URL log in after TLS is up; ``?cafile=/path/ca.pem`` trusts a private
    certificate authority besides the system's.
    """

    def __init__(self, url: str, timeout: float = 20.0) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.scheme = parts.scheme
        self.port = parts.port or {"smtps": 465, "smtp+starttls": 587}.get(parts.scheme, 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        query = parse_qs(parts.query)
        self.starttls = parts.scheme == "smtp+starttls" or query.get("starttls", ["false"])[0] in ("1", "true")
        self.timeout = timeout
        self.cafile = query.get("cafile", [None])[0]

    def _tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.cafile:
            context.load_verify_locations(cafile=self.cafile)
        return context

    def send(self, message: EmailMessage) -> str:
        sender = parseaddr(str(message["From"]))[1]
        recipient = parseaddr(str(message["To"]))[1]
        try:
            client: smtplib.SMTP
            if self.scheme == "smtps":
                client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._tls_context())
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            try:
                if self.starttls:
                    client.starttls(context=self._tls_context())
                if self.username:
                    client.login(self.username, self.password or "")
                refused = client.send_message(message, from_addr=sender, to_addrs=[recipient])
                if refused:
                    code, text = refused[recipient]
                    raise SmtpError(code, text.decode(errors="replace"))
            except BaseException:
                client.close()
                raise
            # The server has taken the message: whatever QUIT answers, it must not count as a failure,
            # or a retry would send the official the same email twice.
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()
            return "250 accepted"
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise SmtpError(code, text.decode(errors="replace") if isinstance(text, bytes) else str(text)) from exc
        except smtplib.SMTPResponseException as exc:
            text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
            raise SmtpError(exc.smtp_code, text) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise SmtpError(None, f"{exc.__class__.__name__}: {exc}") from exc
