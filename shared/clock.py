"""An injectable clock, and the rule that a due date ends at midnight in the region's own zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

# Indonesia's zones and how officials write them: WIB (UTC+7), WITA (UTC+8), WIT (UTC+9).
ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
INDONESIAN_ZONES = tuple(ZONE_ABBREVIATIONS)
# The ministry works in Jakarta time: a time given without a zone on its behalf is read here.
MINISTRY_ZONE = "Asia/Jakarta"


def zone_abbreviation(timezone: str) -> str:
    """'WIB', 'WITA' or 'WIT' for an Indonesian zone; any other zone by its own name."""
    return ZONE_ABBREVIATIONS.get(timezone, timezone)


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time, always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ShiftedClock:
    """Runs at wall-clock speed from a chosen starting instant (demos: ``CERDAS_CLOCK_START``)."""

    def __init__(self, start: datetime) -> None:
        self._offset = start.astimezone(UTC) - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


class FixedClock:
    """A clock that moves only when told to; for tests."""

    def __init__(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> None:
        self._at += delta

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)


def clock_from_start(start: datetime | None) -> Clock:
    """This process's own clock: from ``start`` if given (see ``clock_for`` for the shared timeline)."""
    return ShiftedClock(start) if start is not None else SystemClock()


def clock_for(settings: Any) -> Clock:
    """The clock every Cerdas process uses: the wall clock, or, with ``CERDAS_CLOCK_START``, the one
    simulated timeline all processes and `cerdas` calls share through the broker.

    Outside production a process also follows a timeline stored later (`cerdas clock set`, `cerdas demo`),
    so a demo can move a `make run` that was started on the wall clock. In production only
    ``CERDAS_CLOCK_START`` does: a key left in a production broker must never move its time."""
    if settings.clock_start is None and settings.is_production:
        return SystemClock()
    from shared.timeline import SharedClock

    return SharedClock(settings.broker_url, settings.clock_start, settings.clock_speed)


def end_of_local_day(day: date, timezone: str) -> datetime:
    """The last instant of ``day`` in ``timezone``, in UTC: what a due date means."""
    zone = ZoneInfo(timezone)
    next_midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return (next_midnight - timedelta(microseconds=1)).astimezone(UTC)


def local_date(instant: datetime, timezone: str) -> date:
    return instant.astimezone(ZoneInfo(timezone)).date()


def at_local_hour(day: date, hour: int, timezone: str) -> datetime:
    """``hour``:00 on ``day`` in ``timezone``, as a UTC instant."""
    return datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(timezone)).replace(hour=hour).astimezone(UTC)


def utc(instant: datetime) -> datetime:
    """Normalise an aware datetime to UTC; a naive one is taken to be UTC already (SQLite returns those)."""
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)
