"""Notification use cases, each ``handler(uow, command)``: the deadline projection, due reminders,
stage notices and the steps of email delivery. None commits: its entrypoint does."""

from services.notifications.handlers.deadlines import (
    apply_deadline_cleared,
    apply_deadline_events,
    apply_deadline_set,
)
from services.notifications.handlers.deliveries import (
    ClaimedDelivery,
    DeadlineEntry,
    claim_deliveries,
    claim_delivery,
    record_delivery_outcome,
    resend_delivery,
)
from services.notifications.handlers.notices import NOTICE_EVENTS, queue_notice
from services.notifications.handlers.officials import forget_officials
from services.notifications.handlers.reminders import dispatch_due_reminders

__all__ = [
    "NOTICE_EVENTS",
    "ClaimedDelivery",
    "DeadlineEntry",
    "apply_deadline_cleared",
    "apply_deadline_events",
    "apply_deadline_set",
    "claim_deliveries",
    "claim_delivery",
    "dispatch_due_reminders",
    "forget_officials",
    "queue_notice",
    "record_delivery_outcome",
    "resend_delivery",
]
