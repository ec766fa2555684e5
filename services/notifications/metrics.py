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
        except Exception:  # a scrape must not fail because the database is briefly away
            return
        for status in domain.DELIVERY.states:
            deliveries.add_metric([status], counts.get(status, 0))
        late.add_metric([], stuck or 0)
        yield deliveries
        yield late
