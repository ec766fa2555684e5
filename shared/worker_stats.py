"""What Celery workers report about themselves, kept in Redis so any web replica can export it as metrics.

A worker pod serves no HTTP, and the pods KEDA adds and removes come and go between two scrapes: so
each worker writes its heartbeat and its task counts to the broker it already talks to, and the
service's ``/metrics`` reads them back (``shared.metrics``). Counters live in Redis hashes, so they
keep adding up across worker restarts and replicas.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

import redis
from celery import bootsteps
from celery.signals import task_postrun, task_prerun

from shared.logging import get_logger

log = get_logger(__name__)
HEARTBEAT_SECONDS = 15.0
# A worker missing three heartbeats in a row is counted as gone.
ALIVE_SECONDS = 3 * HEARTBEAT_SECONDS
_started: dict[str, float] = {}
_clients: dict[tuple[int, str], redis.Redis] = {}


def workers_key(queue: str) -> str:
    return f"cerdas:workers:{queue}"


def tasks_key(queue: str) -> str:
    return f"cerdas:worker-tasks:{queue}"


def _client(url: str) -> redis.Redis:
    # One connection pool per process: a prefork child must not reuse its parent's sockets.
    key = (os.getpid(), url)
    if key not in _clients:
        _clients[key] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return _clients[key]


def _queue_of(app: Any) -> str:
    return str(app.main).removeprefix("cerdas.")


@task_prerun.connect(weak=False, dispatch_uid="cerdas-worker-stats-start")
def _task_started(task_id: str | None = None, **_: Any) -> None:
    if task_id:
        _started[task_id] = time.perf_counter()


@task_postrun.connect(weak=False, dispatch_uid="cerdas-worker-stats-finish")
def _task_finished(task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any) -> None:
    started = _started.pop(task_id or "", None)
    if task is None or started is None:
        return
    seconds = time.perf_counter() - started
    outcome = (state or "unknown").lower()
    try:
        pipe = _client(task.app.conf.broker_url).pipeline(transaction=False)
        pipe.hincrby(tasks_key(_queue_of(task.app)), f"{task.name}|{outcome}", 1)
        pipe.hincrbyfloat(tasks_key(_queue_of(task.app)), f"{task.name}|seconds", seconds)
        pipe.execute()
    except redis.RedisError as exc:  # statistics must never fail the task they describe
        log.warning("worker statistics not recorded", error=repr(exc))


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Marks this worker alive in ``cerdas:workers:<queue>`` (a sorted set scored by last beat)."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self._timer_ref: Any = None

    def start(self, worker: Any) -> None:
        self._beat(worker)
        self._timer_ref = worker.timer.call_repeatedly(HEARTBEAT_SECONDS, self._beat, (worker,), priority=10)

    def stop(self, worker: Any) -> None:
        if self._timer_ref is not None:
            self._timer_ref.cancel()
        try:
            _client(worker.app.conf.broker_url).zrem(workers_key(_queue_of(worker.app)), worker.hostname)
        except redis.RedisError:
            pass  # the entry ages out by itself

    # A cold shutdown (SIGQUIT, or a worker told to terminate) takes the worker off the list all the same.
    terminate = stop

    def _beat(self, worker: Any) -> None:
        key = workers_key(_queue_of(worker.app))
        now = time.time()
        try:
            pipe = _client(worker.app.conf.broker_url).pipeline(transaction=False)
            pipe.zadd(key, {worker.hostname: now})
            # Pods that were scaled away without a clean stop leave entries behind; prune them here.
            pipe.zremrangebyscore(key, "-inf", now - 10 * ALIVE_SECONDS)
            pipe.execute()
        except redis.RedisError as exc:
            log.warning("worker heartbeat not recorded", error=repr(exc))


@dataclass
class WorkerStats:
    alive: int = 0
    # (task, outcome) -> count; outcome is Celery's final state in lower case (success, retry, failure).
    tasks: dict[tuple[str, str], float] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def read_worker_stats(client: redis.Redis, queue: str, now: float | None = None) -> WorkerStats:
    """What the workers of ``queue`` last reported; raises redis.RedisError when the broker is away."""
    now = time.time() if now is None else now
    stats = WorkerStats(alive=int(client.zcount(workers_key(queue), now - ALIVE_SECONDS, "+inf")))
    for raw_field, raw_value in client.hgetall(tasks_key(queue)).items():
        name, _, outcome = raw_field.decode().rpartition("|")
        if outcome == "seconds":
            stats.seconds[name] = float(raw_value)
        else:
            stats.tasks[(name, outcome)] = float(raw_value)
    return stats
