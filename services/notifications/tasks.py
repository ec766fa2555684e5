"""Celery tasks of the notification worker: scan reminders, deliver email, and ask for prompt delivery."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import redis

from services.notifications import sending
from services.notifications.handlers import NOTICE_EVENTS
from shared.celery_app import DELIVERY_TASK, REMINDER_SCAN_TASK
from shared.logging import get_logger

if TYPE_CHECKING:
    from services.notifications.app import NotificationsRuntime

log = get_logger(__name__)
SCAN_LOCK = "cerdas:notifications:reminder-scan"
DELIVERY_KICK = "cerdas:notifications:delivery-kick"
# SMTP conversations a delivery run holds at once: the server stores one message while the next is built.
SMTP_SENDERS = 4


def register_tasks(runtime: NotificationsRuntime) -> None:
    notifier = runtime.notifier
    lock_seconds = max(60, int(notifier.settings.reminder_scan_seconds * 4))

    @runtime.celery.task(name=REMINDER_SCAN_TASK, ignore_result=True, shared=False)
    def scan_reminders() -> dict[str, Any]:
        """Turn due reminders into deliveries, one scan at a time across all workers."""
        client = redis.Redis.from_url(runtime.settings.broker_url)
        lock = client.lock(SCAN_LOCK, timeout=lock_seconds, blocking=False)
        if not lock.acquire():
            log.info("reminder scan already running elsewhere; skipped")
            return {"skipped": True}
        try:
            created = sending.scan_reminders(runtime.uow, notifier)
        finally:
            lock.release()
            client.close()
        if created:
            runtime.celery.send_task(DELIVERY_TASK, queue="notifications")
        return {"deliveries": created}

    @runtime.celery.task(name=DELIVERY_TASK, ignore_result=True, shared=False)
    def deliver_pending() -> dict[str, int]:
        return sending.deliver_due(runtime.uow, notifier, senders=SMTP_SENDERS)


def kick_delivery(runtime: NotificationsRuntime) -> Callable[[dict[str, Any], str], None]:
    """A stage notice should not wait for the next beat tick: once the event that queued it is
    committed, ask for a delivery run. A burst of events (a cohort's selection) asks once."""

    def after_processed(envelope: dict[str, Any], outcome: str) -> None:
        if outcome != "processed" or not isinstance(envelope, dict):
            return
        if envelope.get("type") not in NOTICE_EVENTS:
            return
        client = redis.Redis.from_url(runtime.settings.broker_url)
        try:
            if client.set(DELIVERY_KICK, "1", nx=True, px=1000):
                runtime.celery.send_task(DELIVERY_TASK, queue="notifications", countdown=1)
        except redis.RedisError as exc:  # the beat's delivery run still picks the notice up
            log.warning("could not ask for a prompt delivery", error=str(exc))
        finally:
            client.close()

    return after_processed
