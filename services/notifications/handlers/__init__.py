"""Notification use cases: the deadline projection, due reminders, stage notices and email delivery."""

from services.notifications.handlers.delivery import deliver_due
from services.notifications.handlers.notices import NOTICE_EVENTS, on_stage_event
from services.notifications.handlers.notifier import Notifier, Transport
from services.notifications.handlers.reading import list_deliveries
from services.notifications.handlers.reminders import (
    dispatch_due_reminders,
    on_deadline_cleared,
    on_deadline_set,
    preview,
)

__all__ = [
    "NOTICE_EVENTS",
    "Notifier",
    "Transport",
    "deliver_due",
    "dispatch_due_reminders",
    "list_deliveries",
    "on_deadline_cleared",
    "on_deadline_set",
    "on_stage_event",
    "preview",
]
