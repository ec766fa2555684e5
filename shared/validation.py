"""Input types every API shares: dates and instants within the programme's years, so a typo such as
9999-12-30 is refused with a 422 at the edge instead of failing far downstream."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

# Menuju Kota Cerdas began in 2017; nothing it plans reaches past the end of the century, and every
# date in this range stays a valid date in every time zone after any offset is applied.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def check_day(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"must lie between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}")
    return value


def check_instant(value: datetime) -> datetime:
    """An aware instant between the first and last programme day, taken in UTC."""
    if value.tzinfo is None:
        raise ValueError("needs a time zone offset, e.g. +07:00 or Z")
    try:
        in_utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"must lie between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}") from None
    check_day(in_utc.date())
    return value


def check_time(value: datetime) -> datetime:
    """An instant, or a wall-clock time without an offset (its reader picks the zone), within the years."""
    if value.tzinfo is None:
        check_day(value.date())
        return value
    return check_instant(value)


ProgrammeDate = Annotated[date, AfterValidator(check_day)]
ProgrammeTime = Annotated[datetime, AfterValidator(check_time)]
ProgrammeInstant = Annotated[AwareDatetime, AfterValidator(check_instant)]
