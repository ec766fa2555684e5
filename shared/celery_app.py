"""The one place Celery is configured: JSON only, late acks, one durable queue per service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import Celery
from celery.signals import task_prerun
from kombu import Queue

from shared.config import SERVICES, Settings
from shared.logging import clear_correlation
from shared.routing import SERVICE_QUEUES, event_task_name, sweep_task_name
from shared.worker_stats import WorkerHeartbeat

REMINDER_SCAN_TASK = "cerdas.notifications.scan_reminders"
DELIVERY_TASK = "cerdas.notifications.deliver_pending"
EXPIRE_AGREEMENTS_TASK = "cerdas.mou.expire_agreements"


def create_celery(name: str, settings: Settings) -> Celery:
    app = Celery(f"cerdas.{name}", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_ignore_result=True,
        result_backend=None,
        # A task is acknowledged only after it ran; a killed worker means redelivery.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_queues=[Queue(queue, routing_key=queue, durable=True) for queue in SERVICE_QUEUES],
        task_default_queue=name if name in SERVICE_QUEUES else SERVICE_QUEUES[0],
        task_create_missing_queues=False,
        broker_connection_retry_on_startup=True,
        # A message taken by a worker that dies unacknowledged is handed out again after this long.
        # Tasks here are short and retry countdowns stay under it; long waits live in database rows.
        broker_transport_options={"visibility_timeout": settings.broker_visibility_timeout},
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        enable_utc=True,
        timezone="UTC",
        beat_schedule=_beat_schedule(settings),
    )
    # Workers report their heartbeat and task counts to Redis, where the service's /metrics reads them.
    app.steps["worker"].add(WorkerHeartbeat)
    return app


@task_prerun.connect(weak=False, dispatch_uid="cerdas-fresh-correlation")
def _fresh_correlation_per_task(**_: Any) -> None:
    clear_correlation()


def _beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    sweep = timedelta(seconds=settings.outbox_sweep_seconds)
    schedule: dict[str, dict[str, Any]] = {
        f"{service}-outbox-sweep": {
            "task": sweep_task_name(service),
            "schedule": sweep,
            "options": {"queue": service, "expires": settings.outbox_sweep_seconds},
        }
        for service in SERVICES
    }
    scan = settings.notifications.reminder_scan_seconds
    schedule["notifications-reminder-scan"] = {
        "task": REMINDER_SCAN_TASK,
        "schedule": timedelta(seconds=scan),
        "options": {"queue": "notifications", "expires": scan},
    }
    schedule["notifications-delivery-retry"] = {
        "task": DELIVERY_TASK,
        "schedule": timedelta(seconds=scan),
        "options": {"queue": "notifications", "expires": scan},
    }
    schedule["mou-expiry"] = {
        "task": EXPIRE_AGREEMENTS_TASK,
        "schedule": timedelta(hours=1),
        "options": {"queue": "mou", "expires": 3600},
    }
    return schedule


class CeleryPublisher:
    """Sends events as Celery messages to a subscriber queue: one event per message, or a batch."""

    def __init__(self, app: Celery) -> None:
        self._app = app

    def send(self, queue: str, envelope: Any) -> None:
        event_id = envelope.get("id") if isinstance(envelope, dict) else None
        correlation_id = envelope.get("correlation_id") if isinstance(envelope, dict) else None
        self._send(queue, envelope, f"{event_id}.{queue}" if event_id else None, correlation_id)

    def send_batch(self, queue: str, envelopes: list[dict[str, Any]]) -> None:
        """Several events as one message: the consumer applies them in one transaction, so a use case
        that records fifty events costs the broker and the consumer's database one round each."""
        first = envelopes[0]
        self._send(queue, envelopes, f"{first['id']}+{len(envelopes) - 1}.{queue}", first.get("correlation_id"))

    def _send(self, queue: str, body: Any, task_id: str | None, correlation_id: str | None) -> None:
        self._app.send_task(
            event_task_name(queue),
            args=[body],
            queue=queue,
            routing_key=queue,
            task_id=task_id,
            headers={"correlation_id": correlation_id},
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5},
        )
