"""Email for officials: composing from templates (compose), the MIME bytes (letter), how the letters word
things (wording), calendar attachments (calendar), SMTP (transport)."""

from services.notifications.mail.calendar import calendar_bytes, deadline_calendar, deadline_entry
from services.notifications.mail.compose import (
    MAIL_DOMAIN,
    Letterhead,
    Rendered,
    fold_subject,
    message_id,
    render,
)
from services.notifications.mail.letter import Letter, build_message
from services.notifications.mail.transport import SmtpError, SmtpTransport, Transport
from services.notifications.mail.wording import PROGRAMME_NAME, local_date_phrases, local_due_phrases

__all__ = [
    "MAIL_DOMAIN",
    "PROGRAMME_NAME",
    "Letter",
    "Letterhead",
    "Rendered",
    "SmtpError",
    "SmtpTransport",
    "Transport",
    "build_message",
    "calendar_bytes",
    "deadline_calendar",
    "deadline_entry",
    "fold_subject",
    "local_date_phrases",
    "local_due_phrases",
    "message_id",
    "render",
]
