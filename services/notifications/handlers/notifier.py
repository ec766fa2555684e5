"""What the notification use cases need besides the unit of work: settings, officials and a mail transport."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from services.notifications.directory import OfficialsDirectory
from shared.config import ReminderPolicy, Settings


class Transport(Protocol):
    """Hands one message to the mail server, or raises ``mailer.SmtpError``."""

    def send(self, message: EmailMessage) -> str: ...


@dataclass
class Notifier:
    settings: Settings
    directory: OfficialsDirectory
    transport: Transport

    @property
    def policy(self) -> ReminderPolicy:
        return self.settings.notifications.reminder_policy
