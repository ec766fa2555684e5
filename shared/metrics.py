"""Prometheus metrics of a web service: request counts that add up across gunicorn workers, and gauges
read from the database and Redis at scrape time."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

import redis
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from shared.messaging.dead_letters import dead_letter_key
from shared.runtime import ServiceRuntime
from shared.worker_stats import read_worker_stats

# Set by deploy/gunicorn.conf.py for each gunicorn master before any worker imports prometheus_client.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> str | None:
    path = os.environ.get(MULTIPROC_ENV, "").strip()
    return path if path and os.path.isdir(path) else None


class ServiceMetrics:
    """The metrics one service exports at ``/metrics``.

    Under gunicorn each worker process counts its own requests; in multiprocess mode the counts are
    written to files in PROMETHEUS_MULTIPROC_DIR and every scrape adds up all of them, so a scrape
    answered by any worker sees the whole process tree (without it, totals jump between workers'
    own numbers from one scrape to the next). Collectors that read shared state at scrape time
    (database, Redis) are registered beside the files, not in them.
    """

    def __init__(self, runtime: ServiceRuntime, collectors: Sequence[Collector] = ()) -> None:
        self.service = runtime.name
        self._recorded = CollectorRegistry()
        self._requests = Counter(
            "cerdas_http_requests",
            "HTTP requests served",
            ["service", "method", "route", "status"],
            registry=self._recorded,
        )
        self._latency = Histogram(
            "cerdas_http_request_seconds",
            "HTTP request latency",
            ["service", "method", "route"],
            registry=self._recorded,
        )
        self._collectors: list[Collector] = [OutboxCollector(runtime), BrokerCollector(runtime), *collectors]

    def register(self, collector: Collector) -> None:
        self._collectors.append(collector)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self._requests.labels(self.service, method, route, str(status)).inc()
        self._latency.labels(self.service, method, route).observe(seconds)

    def registry(self) -> CollectorRegistry:
        """A registry built for one scrape: the recorded metrics (from every worker's files when in
        multiprocess mode) and the scrape-time collectors."""
        registry = CollectorRegistry()
        path = multiprocess_dir()
        if path is not None:
            MultiProcessCollector(registry, path=path)
        else:
            registry.register(self._recorded)
        for collector in self._collectors:
            registry.register(collector)
        return registry

    def exposition(self, accept: str | None) -> tuple[bytes, str]:
        """The body and its exact Content-Type, in the format the scraper asked for."""
        encoder, content_type = choose_encoder(accept or "")
        return encoder(self.registry()), content_type


class OutboxCollector:
    """How many events wait in the outbox and for how long: a growing backlog means the broker is away."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        self._runtime = runtime

    def collect(self) -> Iterator[GaugeMetricFamily]:
        outbox = self._runtime.outbox
        try:
            with self._runtime.engine.connect() as connection:
                count, oldest = connection.execute(
                    select(func.count(), func.min(outbox.c.created_at)).where(outbox.c.published_at.is_(None))
                ).one()
        except Exception:  # a scrape must not fail because the database is briefly away
            return
        age = max(0.0, (self._runtime.clock.now() - oldest).total_seconds()) if oldest is not None else 0.0
        unpublished = GaugeMetricFamily("cerdas_outbox_unpublished", "Events not yet published", labels=["service"])
        unpublished.add_metric([self._runtime.name], count)
        oldest_gauge = GaugeMetricFamily(
            "cerdas_outbox_oldest_unpublished_seconds",
            "Age of the oldest unpublished event (0 when none waits)",
            labels=["service"],
        )
        oldest_gauge.add_metric([self._runtime.name], age)
        yield unpublished
        yield oldest_gauge


class BrokerCollector:
    """What Redis holds for this service's queue: waiting messages, dead letters, live workers and the
    task counts its workers reported (shared.worker_stats). One connection per scrape."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        self._runtime = runtime

    def collect(self) -> Iterator[Any]:
        queue = self._runtime.name
        try:
            client = redis.Redis.from_url(self._runtime.settings.broker_url, socket_timeout=1, socket_connect_timeout=1)
            try:
                depth = client.llen(queue)
                dead = client.llen(dead_letter_key(queue))
                stats = read_worker_stats(client, queue)
            finally:
                client.close()
        except redis.RedisError:  # a scrape must not fail because the broker is briefly away
            return
        messages = GaugeMetricFamily(
            "cerdas_queue_messages", "Messages waiting on the queue (the Redis list KEDA scales on)", labels=["queue"]
        )
        messages.add_metric([queue], depth)
        dead_letters = GaugeMetricFamily(
            "cerdas_dead_letters", "Events parked after failing every retry", labels=["queue"]
        )
        dead_letters.add_metric([queue], dead)
        workers = GaugeMetricFamily(
            "cerdas_workers", "Workers of the queue that sent a heartbeat in the last 45 s", labels=["queue"]
        )
        workers.add_metric([queue], stats.alive)
        tasks = CounterMetricFamily(
            "cerdas_worker_tasks", "Tasks run by the queue's workers, by final state", labels=["queue", "task", "state"]
        )
        for (task, state), count in sorted(stats.tasks.items()):
            tasks.add_metric([queue, task, state], count)
        seconds = CounterMetricFamily(
            "cerdas_worker_task_seconds", "Time the queue's workers spent running tasks", labels=["queue", "task"]
        )
        for task, total in sorted(stats.seconds.items()):
            seconds.add_metric([queue, task], total)
        yield from (messages, dead_letters, workers, tasks, seconds)
