"""The story's dates: the 2023 cohort as it ran (applications in mid-2022, the MoU ceremony on 28 February
2023), or the same days moved so that the story starts today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.clock import MINISTRY_ZONE, end_of_local_day

STORY_START = datetime(2022, 5, 23, 9, 0, tzinfo=ZoneInfo(MINISTRY_ZONE))
COHORT_YEAR = 2023
CEREMONY = (2023, 2, 28)


@dataclass(frozen=True)
class Dates:
    """Every date of the story, moved by ``shift`` whole days (none: the real 2022-2023 calendar)."""

    shift: timedelta = timedelta(0)

    @classmethod
    def from_today(cls, now: datetime) -> Dates:
        """The same story starting today (at once if its first hour has passed), each day as far from the next."""
        today = now.astimezone(ZoneInfo(MINISTRY_ZONE)).date()
        return cls(timedelta(days=(today - STORY_START.date()).days))

    @property
    def start(self) -> datetime:
        return (STORY_START + self.shift).astimezone(UTC)

    @property
    def cohort_year(self) -> int:
        """The programme year: the year of the MoU ceremony."""
        return self.day(*CEREMONY).year

    def day(self, year: int, month: int, day_: int) -> date:
        return date(year, month, day_) + self.shift

    def wib(self, year: int, month: int, day_: int, hour: int = 10, minute: int = 0) -> datetime:
        """That day and hour in Jakarta (the ministry's zone), in UTC."""
        local = datetime.combine(self.day(year, month, day_), time(hour, minute), tzinfo=ZoneInfo(MINISTRY_ZONE))
        return local.astimezone(UTC)

    def end_of_day(self, year: int, month: int, day_: int) -> datetime:
        return end_of_local_day(self.day(year, month, day_), MINISTRY_ZONE)

    def months(self, first: tuple[int, int, int], last: tuple[int, int, int]) -> str:
        """'June - July 2022', or 'November 2022 - February 2023': a chapter's span, moved like every date."""
        start, end = self.day(*first), self.day(*last)
        if start.year == end.year:
            return f"{start:%B} - {end:%B %Y}"
        return f"{start:%B %Y} - {end:%B %Y}"

    def ceremony_wall_clock(self) -> str:
        """The ceremony's start as the ministry writes it: a wall-clock time, read in WIB by the MoU service."""
        return datetime.combine(self.day(*CEREMONY), time(10, 0)).isoformat()


def at_hour(day_: date, hour: int, minute: int = 0) -> datetime:
    """``hour`` on ``day_`` in WIB, in UTC."""
    return datetime.combine(day_, time(hour, minute), tzinfo=ZoneInfo(MINISTRY_ZONE)).astimezone(UTC)
