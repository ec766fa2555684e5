"""Chapter 3: August to November 2022, two assessors score every application and the ministry selects the
best 2 provinces and 50 kabupaten/kota once the window has closed."""

from __future__ import annotations

from typing import Any

from services.demo.cast import TAPANULI_TENGAH, Region, jitter, merit
from services.demo.display import wib
from services.demo.story import Story

ASSESSORS = ("asesor-01", "asesor-02")


def sheet(story: Story, region: Region, assessor: str) -> dict[str, float]:
    base = merit(story.cast, region.code)
    scores = {}
    for criterion in story.rubric:
        value = base + jitter(region.code, criterion["key"], assessor, spread=4)
        scores[criterion["key"]] = round(min(criterion["scale_max"], max(criterion["scale_min"], value)), 1)
    return scores


def tell(story: Story) -> None:
    dates = story.dates
    story.display.chapter(3, "Assessment, ranking and selection", dates.months((2022, 8, 8), (2022, 11, 14)))
    applicants = story.applicants()
    sent_before = story.agenda.monitor.mail_sent()

    def score(assessor: str) -> None:
        def one(region: Region) -> None:
            story.api.call(
                "PUT",
                "assessment",
                f"/applications/{story.applications[region.code]}/scores",
                role="assessor",
                sub=assessor,
                json={"scores": sheet(story, region, assessor)},
            )
            # A complete sheet scores the application: its self-assessment and assessment deadlines close.
            story.agenda.met(f"self-assessment:{region.code}")
            story.agenda.met(f"assessment:{region.code}")

        story.api.many(one, applicants)

    story.agenda.at(dates.wib(2022, 8, 8), "first assessor's sheets", lambda: score(ASSESSORS[0]))
    story.agenda.at(dates.wib(2022, 9, 5), "second assessor's sheets", lambda: score(ASSESSORS[1]))
    result: dict[str, Any] = {}

    def select() -> None:
        # The window closed on 31 July and every application is scored: no force, no reason needed.
        result.update(story.api.call("POST", "assessment", f"/cohorts/{story.year}/selection", json={}))

    story.agenda.at(dates.wib(2022, 11, 14), "selection (rapat pleno)", select)
    story.run_until("scoring and selection", dates.wib(2022, 11, 14, 11))
    mail = int(story.agenda.monitor.mail_sent() - sent_before)
    story.facts["selection_mail"] = mail
    rows, facts = [], {}
    for group, entries in result["groups"].items():
        chosen = [e for e in entries if e["selected"]]
        rest = [e for e in entries if not e["selected"]]
        facts[group] = {"applicants": len(entries), "selected": len(chosen)}
        rows.append(
            (
                group,
                len(entries),
                len(chosen),
                min((e["total"] for e in chosen), default=0.0),
                max((e["total"] for e in rest), default=0.0),
            )
        )
    story.facts["selection"] = facts
    story.display.table(["quota group", "applicants", "selected", "lowest selected", "highest not selected"], rows)
    ranked = {e["region_code"]: e for entries in result["groups"].values() for e in entries}
    tapteng = ranked.get(TAPANULI_TENGAH)
    if tapteng is not None:
        story.display.note(
            f"{tapteng['region_name']} ranks {tapteng['rank']} of the kabupaten/kota with {tapteng['total']:.2f}."
        )
    story.display.note(f"Cohort {story.year} finalised on {wib(story.now())}; ties: {result['tie_break']}.")
    story.display.note(f"Each applicant's head of region, Sekda and Kadis Kominfo heard the result: {mail} emails.")
