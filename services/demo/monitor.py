"""Waiting on what the services report about themselves (GET /metrics): queues, outboxes, reminders and mail.

Moving the shared timeline while an event is still on its way would let a reminder go out for work that
was just accepted, so before every move the demo waits until everything sent so far has been applied,
and at each reminder time until every reminder due has been turned into email and the email has gone.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from services.demo.api import SERVICES, Api, DemoError

SCAN_TASK = "cerdas.notifications.scan_reminders"
UNSENT = ("pending", "sending", "retrying")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def samples(metrics: dict[str, float], name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels``."""
    total = 0.0
    for key, value in metrics.items():
        base, _, rest = key.partition("{")
        if base != name:
            continue
        found = dict(_LABEL.findall(rest))
        if all(found.get(k) == v for k, v in labels.items()):
            total += value
    return total


@dataclass(frozen=True)
class Snapshot:
    busy: tuple[str, ...]  # what is still in motion, in words
    scans: float  # reminder scans the notification workers have finished so far
    sent: float


class Monitor:
    def __init__(self, api: Api, timeout: float = 300.0, interval: float = 0.2) -> None:
        self._api = api
        self._timeout = timeout
        self._interval = interval

    def snapshot(self, services: tuple[str, ...] = SERVICES) -> Snapshot:
        busy: list[str] = []
        notifications: dict[str, float] = {}
        for service in services:
            metrics = self._api.metrics(service)
            if service == "notifications":
                notifications = metrics
            if samples(metrics, "cerdas_outbox_unpublished"):
                busy.append(f"{service} outbox")
            if samples(metrics, "cerdas_queue_messages"):
                busy.append(f"{service} queue")
        if "cerdas_reminders_late" not in notifications:
            raise DemoError(
                "the notification service's /metrics has no cerdas_reminders_late: this demo needs the metrics of "
                "the same Cerdas version (run the services from this checkout)."
            )
        unsent = sum(samples(notifications, "cerdas_deliveries", status=s) for s in UNSENT)
        if unsent:
            busy.append(f"{unsent:.0f} email(s) to send")
        if samples(notifications, "cerdas_reminders_late"):
            busy.append("reminders due")
        scans = samples(notifications, "cerdas_worker_tasks_total", task=SCAN_TASK)
        sent = samples(notifications, "cerdas_deliveries", status="sent")
        return Snapshot(tuple(busy), scans, sent)

    def _until(
        self,
        condition: Callable[[Snapshot], bool],
        what: str,
        timeout: float | None = None,
        services: tuple[str, ...] = SERVICES,
    ) -> Snapshot:
        limit = timeout or self._timeout
        deadline = time.monotonic() + limit
        while True:
            snapshot = self.snapshot(services)
            if condition(snapshot):
                return snapshot
            if time.monotonic() > deadline:
                # A demo that limps on for hours helps nobody: stop, and say what did not move.
                raise DemoError(
                    f"waited {limit:.0f}s for {what}; still busy: {', '.join(snapshot.busy) or '-'}. Is every "
                    "worker and beat running? `cerdas status` shows each queue and its workers."
                )
            time.sleep(self._interval)

    def scan_interval(self, timeout: float = 120.0) -> float:
        """Seconds between two reminder scans, measured: the demo waits for one at every reminder morning."""
        first = self._until(lambda s: True, "the notification service")
        second = self._until(lambda s: s.scans > first.scans, "a reminder scan (is beat running?)", timeout)
        started = time.monotonic()
        self._until(lambda s: s.scans > second.scans, "a reminder scan (is beat running?)", timeout)
        return time.monotonic() - started

    def reminders_out(self) -> None:
        """At a reminder time: every reminder due has become email, and every email has gone. Only the
        notification service takes part (the services were quiet when time moved), so only it is asked."""
        self._until(lambda s: not s.busy, "the reminders due", services=("notifications",))

    def quiet(self) -> None:
        """Everything sent so far has been applied. Empty queues are not enough (a worker may hold the last
        message), so a reminder scan must also finish after they are seen empty: the notification worker
        takes one message at a time, so it has then finished whatever it held."""
        first = self._until(lambda s: not s.busy, "the services to settle")
        scanned = self._until(lambda s: s.scans > first.scans, "a reminder scan")
        if scanned.busy:
            self._until(lambda s: not s.busy, "the services to settle")

    def mail_sent(self) -> float:
        return self.snapshot().sent
