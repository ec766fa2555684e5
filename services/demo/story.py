"""The story's shared state: the cast, what the services made of it, and the agenda that moves time."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.demo.agenda import Agenda
from services.demo.api import Api
from services.demo.calendar import Dates
from services.demo.cast import Cast, Region
from services.demo.display import Display, wib


@dataclass
class Story:
    api: Api
    agenda: Agenda
    display: Display
    cast: Cast
    dates: Dates
    regions: dict[str, Region] = field(default_factory=dict)
    rubric: list[dict[str, Any]] = field(default_factory=list)
    applications: dict[str, str] = field(default_factory=dict)  # region code -> application id
    agreements: dict[str, dict[str, Any]] = field(default_factory=dict)  # region code -> agreement
    programmes: dict[str, dict[str, Any]] = field(default_factory=dict)  # region code -> programme
    mentors: dict[str, str] = field(default_factory=dict)  # region code -> mentor's token sub
    # What each stage counted, read back from the services: the summaries, and what a test checks.
    facts: dict[str, Any] = field(default_factory=dict)
    outages: list[tuple[datetime, datetime]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    @property
    def year(self) -> int:
        return self.dates.cohort_year

    def now(self) -> datetime:
        return self.agenda.clock.now()

    def region(self, code: str) -> Region:
        return self.regions[code]

    def selected(self) -> list[Region]:
        return [self.regions[code] for code in self.cast.selected]

    def applicants(self) -> list[Region]:
        return [self.regions[code] for code in self.cast.applicants]

    def run_until(self, label: str, end: datetime) -> None:
        """Everything the agenda holds up to ``end``, with a progress bar of the story's days passing."""
        start = self.now()
        bar = self.display.progress(label, max((end - start).days, 1), " days")
        bar.update(0, wib(start))

        def moved(instant: datetime) -> None:
            bar.update((instant - start).days, wib(instant))

        self.agenda.on_move = moved
        try:
            self.agenda.run(end)
            self.agenda.settle()
        finally:
            self.agenda.on_move = None
            bar.close()

    def elapsed(self) -> str:
        seconds = time.monotonic() - self.started
        return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"
