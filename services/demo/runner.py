"""Telling the whole story: check the services, take hold of time, then each chapter in turn."""

from __future__ import annotations

from datetime import timedelta

from services.demo import (
    chapter_agreements,
    chapter_applications,
    chapter_mentoring,
    chapter_monev,
    chapter_register,
    chapter_selection,
    finale,
)
from services.demo.agenda import Agenda
from services.demo.api import SERVICES, Api, DemoError, Endpoints
from services.demo.calendar import Dates
from services.demo.cast import Cast
from services.demo.display import Display, wib
from services.demo.monitor import Monitor
from services.demo.story import Story
from services.demo.timekeeper import SharedTimeline, Timekeeper, WallClock, stored_timeline
from shared.config import ReminderPolicy

CHAPTERS = (
    chapter_register,
    chapter_applications,
    chapter_selection,
    chapter_agreements,
    chapter_mentoring,
    chapter_monev,
)
SLOW_SCAN = 5.0  # seconds between reminder scans beyond which the demo warns that it will be slow
REAL_TIME_HINT = "`cerdas demo --real-time` tells the same story at real speed from today (it then takes 21 months)."


def not_following(services: list[str]) -> DemoError:
    return DemoError(
        f"{', '.join(services)} did not follow the shared timeline the demo set. Services started with "
        "CERDAS_ENV=production (docker compose) follow it only when started with CERDAS_CLOCK_START set (e.g. "
        "CERDAS_CLOCK_START=2022-05-23T02:00:00Z); check too that CERDAS_BROKER_URL here names their broker. "
        "Or: " + REAL_TIME_HINT
    )


def run(
    endpoints: Endpoints,
    secret: str,
    broker_url: str,
    policy: ReminderPolicy,
    cast: Cast,
    *,
    real_time: bool = False,
    speed: float = 30.0,
    display: Display | None = None,
) -> Story:
    """Tell the story against running services; returns what it saw, stage by stage."""
    display = display or Display()
    # Tokens are minted at the story's now, which the clock chosen below keeps.
    api = Api(endpoints, secret, lambda: clock.now())
    api.check_ready()
    if real_time and stored_timeline(broker_url) is not None:
        raise DemoError("the services follow a shared timeline (`cerdas clock show`): `cerdas clock reset` first.")
    clock: Timekeeper = WallClock() if real_time else SharedTimeline(broker_url, speed)
    dates = Dates.from_today(clock.now()) if real_time else Dates()
    monitor = Monitor(api)
    agenda = Agenda(clock, monitor, policy)
    story = Story(api, agenda, display, cast, dates)
    chapter_register.check_fresh(story)
    display.line(
        f"Menuju Kota/Kabupaten Cerdas {story.year}: {len(cast.applicants)} regions apply, "
        f"{sum(cast.quotas.values())} are selected, sign their MoU and are mentored to a Masterplan."
    )
    if real_time:
        display.line(f"At real speed from today: the story starts on {wib(dates.start)} and runs for 21 months.")
    else:
        display.line(
            f"Every Cerdas process follows one shared clock; the demo moves it from {wib(dates.start)} through "
            "each moment of the story. " + REAL_TIME_HINT
        )
    try:
        if not real_time:
            # At real speed the register and the cohort are set up at once; the days then come as they come.
            clock.move_to(dates.start)
            lagging = [s for s in SERVICES if not api.follows(s, dates.start + timedelta(days=1))]
            if lagging:
                assert isinstance(clock, SharedTimeline)
                clock.restore()
                raise not_following(lagging)
        interval = monitor.scan_interval()
        if interval > SLOW_SCAN:
            display.line(
                f"The reminder scan runs every {interval:.0f} s here and the demo waits for one at each of about a "
                "hundred reminder mornings: it will take a while. CERDAS_REMINDER_SCAN_SECONDS=2 is quicker."
            )
        for chapter in CHAPTERS:
            chapter.tell(story)
        finale.tell(story, len(CHAPTERS) + 1)
    finally:
        # Stopped or finished, the services are left at the story's time, at real speed.
        clock.finish()
    return story
