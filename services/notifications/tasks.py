"""Celery tasks of the notification worker: consume every event, scan reminders, deliver email."""

from __future__ import annotations

from typing import Any

import redis
from celery.signals import task_postrun

from services.notifications import handlers
from services.notifications.directory import OfficialsDirectory
from shared.celery_app import DELIVERY_TASK, REMINDER_SCAN_TASK
from shared.events import DeadlineClearedV1, DeadlineSetV1, Envelope, EventData, OfficialsChangedV1
from shared.logging import get_logger
from shared.messaging.inbox import Handler
from shared.routing import event_task_name
from shared.runtime import ServiceRuntime
from shared.uow import UnitOfWork

log = get_logger(__name__)
SCAN_LOCK = "cerdas:notifications:reminder-scan"
DELIVERY_KICK = "cerdas:notifications:delivery-kick"


def event_handlers(runtime: ServiceRuntime) -> dict[str, Handler]:
    policy = runtime.settings.reminder_policy

    def on_deadline_set(uow: UnitOfWork, envelope: Envelope, data: EventData) -> None:
        assert isinstance(data, DeadlineSetV1)
        handlers.on_deadline_set(uow, envelope, data, policy)

    def on_deadline_cleared(uow: UnitOfWork, envelope: Envelope, data: EventData) -> None:
        assert isinstance(data, DeadlineClearedV1)
        handlers.on_deadline_cleared(uow, envelope, data)

    def on_officials_changed(uow: UnitOfWork, envelope: Envelope, data: EventData) -> None:
        assert isinstance(data, OfficialsChangedV1)
        OfficialsDirectory.invalidate(uow.session, data.region_code)

    def on_stage_event(uow: UnitOfWork, envelope: Envelope, data: EventData) -> None:
        # The notifier is wired after the consumer; look it up when an event arrives. An officials
        # lookup that fails raises, so the event is retried rather than its notice lost.
        handlers.on_stage_event(uow, runtime.extras["notifier"], envelope, data)

    return {
        "deadline.set": on_deadline_set,
        "deadline.cleared": on_deadline_cleared,
        "assessment.officials_changed": on_officials_changed,
        **{event_type: on_stage_event for event_type in handlers.NOTICE_EVENTS},
    }


def register_tasks(runtime: ServiceRuntime, notifier: handlers.Notifier) -> None:
    lock_seconds = max(60, int(runtime.settings.reminder_scan_seconds * 4))

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

    _deliver_notices_promptly(runtime)


def _deliver_notices_promptly(runtime: ServiceRuntime) -> None:
    """A stage notice should not wait for the next beat tick: once the event that queued it is
    committed, ask for a delivery run. A burst of events (a cohort's selection) asks once."""
    consumer = event_task_name(runtime.name)

    @task_postrun.connect(weak=False)
    def kick_delivery(sender: Any = None, args: Any = None, retval: Any = None, **_: Any) -> None:
        if sender is None or sender.name != consumer or sender.app is not runtime.celery or retval != "processed":
            return
        envelope = args[0] if args else None
        if not isinstance(envelope, dict) or envelope.get("type") not in handlers.NOTICE_EVENTS:
            return
        client = redis.Redis.from_url(runtime.settings.broker_url)
        try:
            if client.set(DELIVERY_KICK, "1", nx=True, px=1000):
                runtime.celery.send_task(DELIVERY_TASK, queue="notifications", countdown=1)
        except redis.RedisError as exc:  # the beat's delivery run still picks the notice up
            log.warning("could not ask for a prompt delivery", error=str(exc))
        finally:
            client.close()
