"""The last screen of the demo: what happened in numbers, and where to look at it."""

from __future__ import annotations

from services.demo.cast import TAPANULI_TENGAH
from services.demo.display import wib
from services.demo.story import Story


def tell(story: Story, number: int) -> None:
    api, year = story.api, story.year
    endpoints = api.endpoints
    story.display.chapter(number, "Where to look", "")
    sent = story.agenda.monitor.mail_sent()
    story.facts["mail_sent"] = int(sent)
    tapteng = story.programmes.get(TAPANULI_TENGAH)
    rows = [
        ("inbox", "var/mail/*.eml in the embedded run (`make run`); Mailpit at http://localhost:8025 with compose"),
        ("emails sent", f"{sent:.0f}"),
        ("console", endpoints.console if api.console_answers() else f"{endpoints.console} (not running now)"),
        ("deliveries log", "cerdas deliveries --region 12.01   (run from the repository root)"),
        ("", f"GET {endpoints.notifications}/deliveries?region=12.01"),
        ("ranking", f"GET {endpoints.assessment}/cohorts/{year}/ranking"),
        ("open data (no token)", f"{endpoints.assessment}/cohorts/{year}/results.json"),
        ("agreements", f"GET {endpoints.mou}/agreements?cohort={year}"),
        ("programmes", f"GET {endpoints.mentoring}/cohorts/{year}/progress"),
    ]
    if tapteng is not None:
        rows.append(("Tapanuli Tengah", f"GET {endpoints.mentoring}/programmes/{tapteng['id']}"))
    story.display.table(["what", "where"], rows)
    story.display.note('Every API wants a token: -H "Authorization: Bearer $(cerdas token --role operator)".')
    if story.agenda.clock.simulated:
        story.display.note(
            f"The shared clock stays at {wib(story.now())}, running at real speed, so the console and the APIs "
            "show the story's end; `cerdas clock reset` returns every process to today."
        )
    story.display.note(
        f"{story.agenda.stops} reminder mornings, {story.agenda.clock.moves} moves of the clock, "
        f"{api.requests} API calls; the story took {story.elapsed()}."
    )
