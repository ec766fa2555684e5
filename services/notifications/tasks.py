"""Celery tasks of the notification worker: consume every event, scan reminders, deliver email."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import redis

from services.notifications import handlers
from services.notifications.directory import OfficialsDirectory
from shared.celery_app import DELIVERY_TASK, REMINDER_SCAN_TASK
from shared.events import DeadlineClearedV1, DeadlineSetV1, Envelope, EventData, OfficialsChangedV1
from shared.logging import get_logger
from shared.messaging.inbox import Subscription
from shared.uow import UnitOfWork

log = get_logger(__name__)
SCAN_LOCK = "cerdas:notifications:reminder-scan"
DELIVERY_KICK = "cerdas:notifications:delivery-kick"


def _pass(envelope: Envelope, data: EventData) -> tuple[Envelope, EventData]:
    return envelope, data


def subscriptions(runtime: Any) -> dict[str, Subscription]:
    policy = runtime.settings.notifications.reminder_policy

    def on_deadline_set(uow: UnitOfWork, command: tuple[Envelope, EventData]) -> None:
        envelope, data = command
        assert isinstance(data, DeadlineSetV1)
        handlers.on_deadline_set(uow, envelope, data, policy)

    def on_deadline_cleared(uow: UnitOfWork, command: tuple[Envelope, EventData]) -> None:
        envelope, data = command
        assert isinstance(data, DeadlineClearedV1)
        handlers.on_deadline_cleared(uow, envelope, data)

    def on_officials_changed(uow: UnitOfWork, command: tuple[Envelope, EventData]) -> None:
        _envelope, data = command
        assert isinstance(data, OfficialsChangedV1)
        OfficialsDirectory.invalidate(uow.session, data.region_code)

    def on_stage_event(uow: UnitOfWork, command: tuple[Envelope, EventData]) -> None:
        envelope, data = command
        handlers.on_stage_event(uow, runtime.notifier, envelope, data)

    return {
        "deadline.set": Subscription(_pass, on_deadline_set),
        "deadline.cleared": Subscription(_pass, on_deadline_cleared),
        "assessment.officials_changed": Subscription(_pass, on_officials_changed),
        **{event_type: Subscription(_pass, on_stage_event) for event_type in handlers.NOTICE_EVENTS},
    }


def register_tasks(runtime: Any) -> None:
    notifier: handlers.Notifier = runtime.notifier
    lock_seconds = max(60, int(runtime.settings.notifications.reminder_scan_seconds * 4))

    @runtime.celery.task(name=REMINDER_SCAN_TASK, ignore_result=True, shared=False)
    def scan_reminders() -> dict[str, Any]:
        """Turn due reminders into deliveries, one scan at a time across all workers."""
        client = redis.Redis.from_url(runtime.settings.broker_url)
        lock = client.lock(SCAN_LOCK, timeout=lock_seconds, blocking=False)
        if not lock.acquire():
            log.info("reminder scan already running elsewhere; skipped")
            return {"skipped": True}
        try:
            with runtime.uow() as uow:
                created = handlers.dispatch_due_reminders(uow, notifier)
        finally:
            lock.release()
            client.close()
        if created:
            runtime.celery.send_task(DELIVERY_TASK, queue="notifications")
        return {"deliveries": created}

    @runtime.celery.task(name=DELIVERY_TASK, ignore_result=True, shared=False)
    def deliver_pending() -> dict[str, int]:
        return handlers.deliver_due(runtime.uow, notifier)


def kick_delivery(runtime: Any) -> Callable[[dict[str, Any], str], None]:
    """A stage notice should not wait for the next beat tick: once the event that queued it is
    committed, ask for a delivery run. A burst of events (a cohort's selection) asks once."""

    def after_processed(envelope: dict[str, Any], outcome: str) -> None:
        if outcome != "processed" or not isinstance(envelope, dict):
            return
        if envelope.get("type") not in handlers.NOTICE_EVENTS:
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
