"""The baseline worker: Cerdas's own Celery settings and one task that only counts what it received."""

from __future__ import annotations

import redis

from shared.celery_app import create_celery
from shared.config import load_settings
from shared.routing import event_task_name

COUNTER = "cerdas:bench:noop"
settings = load_settings()
celery = create_celery("notifications", settings)
_counter = redis.Redis.from_url(settings.broker_url)


@celery.task(name=event_task_name("notifications"), ignore_result=True, shared=False)
def handle_event(envelope: object) -> None:
    _counter.incr(COUNTER)
