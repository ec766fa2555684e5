"""Email for officials: composing from templates (compose), calendar attachments (calendar), SMTP (transport)."""

from services.notifications.mail.calendar import calendar_bytes, deadline_calendar
from services.notifications.mail.compose import (
    MAIL_DOMAIN,
    Rendered,
    build_message,
    local_date_phrases,
    local_due_phrases,
    message_id,
    render,
    template_environment,
)
from services.notifications.mail.transport import SmtpError, SmtpTransport, Transport

__all__ = [
    "MAIL_DOMAIN",
    "Rendered",
    "SmtpError",
    "SmtpTransport",
    "Transport",
    "build_message",
    "calendar_bytes",
    "deadline_calendar",
    "local_date_phrases",
    "local_due_phrases",
    "message_id",
    "render",
    "template_environment",
]
