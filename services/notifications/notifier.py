"""What the notification entrypoints need besides the unit of work: settings, officials and a mail transport."""

from __future__ import annotations

from dataclasses import dataclass

from services.notifications.directory import OfficialsDirectory
from services.notifications.mail import Transport
from shared.config import NotificationSettings, ReminderPolicy


@dataclass
class Notifier:
    settings: NotificationSettings
    directory: OfficialsDirectory
    transport: Transport

    @property
    def policy(self) -> ReminderPolicy:
        return self.settings.reminder_policy
