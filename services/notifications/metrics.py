"""Notification gauges read from the database at scrape time: what waits, what was sent, what failed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from services.notifications import domain
from services.notifications.orm import Delivery, Reminder
from shared.runtime import ServiceRuntime


class NotificationCollector:
    def __init__(self, runtime: ServiceRuntime) -> None:
        self._runtime = runtime

    def collect(self) -> Iterator[GaugeMetricFamily]:
        deliveries = GaugeMetricFamily("cerdas_deliveries", "Emails by delivery state", labels=["status"])
        late = GaugeMetricFamily(
            "cerdas_reminders_late",
            "Reminders due for longer than two scan intervals and still unsent: the scan is not running",
        )
        overdue = GaugeMetricFamily(
            "cerdas_deliveries_overdue",
            "Emails whose next attempt is more than two scan intervals past: nothing is sending them",
        )
        oldest = GaugeMetricFamily(
            "cerdas_delivery_oldest_unsent_seconds", "Age of the oldest email not yet sent nor given up (0 when none)"
        )
        try:
            now = self._runtime.clock.now()
            grace = timedelta(seconds=2 * self._runtime.settings.notifications.reminder_scan_seconds)
            with self._runtime.session_factory() as session:
                counts = dict(session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
                stuck = session.scalar(
                    select(func.count()).where(
                        Reminder.status.in_(domain.UNSENT_REMINDER), Reminder.due_at < now - grace
                    )
                )
                unsent = Delivery.status.in_(domain.CLAIMABLE_DELIVERY)
                waiting = session.scalar(select(func.count()).where(unsent, Delivery.next_attempt_at < now - grace))
                first = session.scalar(select(func.min(Delivery.created_at)).where(unsent))
        except Exception:  # a scrape must not fail because the database is briefly away
            return
        for status in domain.DELIVERY.states:
            deliveries.add_metric([status], counts.get(status, 0))
        late.add_metric([], stuck or 0)
        overdue.add_metric([], waiting or 0)
        oldest.add_metric([], max(0.0, (now - first).total_seconds()) if first is not None else 0.0)
        yield from (deliveries, late, overdue, oldest)
