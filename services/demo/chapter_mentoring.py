"""Chapter 5: March to September 2023, mentoring. Each signed MoU becomes a programme; the regions hand in
their decrees, the four Masterplan books, the final Masterplan and its Perbup/Perwali/Pergub, some on time,
some after a reminder, some after a revision, a few late and escalated; mentors review every hand-in."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from services.demo import mentoring_plan as plan
from services.demo import people
from services.demo.agenda import DAY_BEFORE
from services.demo.calendar import CEREMONY, at_hour
from services.demo.chapter_agreements import wait_for
from services.demo.display import day
from services.demo.mail import deliveries
from services.demo.story import Story
from shared.clock import at_local_hour, end_of_local_day

HOUR = 10  # WIB: regions hand in and mentors review in office hours everywhere


def milestones(programme: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for stage in programme["stages"] for m in stage["milestones"]]


def documents(programme: dict[str, Any]) -> list[dict[str, Any]]:
    """The milestones handed in as documents (the evaluation is the monev self-assessment instead)."""
    return [m for m in milestones(programme) if m["kind"] != "evaluation"]


def start(story: Story) -> None:
    """The programmes the signed MoUs became, their mentors, and the sessions and deadlines to watch."""
    items = wait_for(
        lambda: story.api.get("mentoring", f"/programmes?cohort={story.year}")["items"],
        len(story.cast.selected),
        "mentoring programmes",
    )
    for programme in items:
        story.programmes[programme["region_code"]] = programme
    for number, code in enumerate(sorted(story.programmes)):
        sub, name = people.mentor(number % story.cast.mentors)
        story.mentors[code] = sub
        path = f"/programmes/{story.programmes[code]['id']}/mentors"
        story.api.call("POST", "mentoring", path, json={"mentor": sub, "name": name})
    story.agenda.changed()
    for programme in story.programmes.values():
        tz = programme["timezone"]
        for stage in programme["stages"]:
            session = stage.get("session")
            if session:
                opens = at_local_hour(date.fromisoformat(session["starts_on"]), 9, tz)
                story.agenda.deadline(f"session:{session['id']}", opens, tz, DAY_BEFORE)
        for milestone in milestones(programme):
            story.agenda.deadline(f"milestone:{milestone['id']}", datetime.fromisoformat(milestone["due_at"]), tz)


def hand_in(story: Story, code: str, milestone: dict[str, Any], attempt: int) -> dict[str, Any]:
    region = story.region(code)
    link = f"https://{people.slug(region)}.{people.DOMAIN}/smartcity/{milestone['key']}-v{attempt}.pdf"
    return story.api.call(
        "POST",
        "mentoring",
        f"/milestones/{milestone['id']}/submissions",
        role="region",
        region=code,
        json={"link": link, "note": plan.note_for(milestone["kind"])},
    )


def review(story: Story, code: str, submission: dict[str, Any], body: dict[str, Any]) -> None:
    path = f"/submissions/{submission['id']}/review"
    story.api.call("POST", "mentoring", path, role="mentor", sub=story.mentors[code], json=body)


def schedule(story: Story) -> dict[str, dict[str, plan.Assignment]]:
    """Every hand-in and review on the agenda; returns each milestone key's assignments by region."""
    first = next(iter(story.programmes.values()))
    keys = [(m["key"], m["kind"], date.fromisoformat(m["due_date"])) for m in documents(first)]
    pairs = [(code, p["timezone"]) for code, p in story.programmes.items()]
    by_key: dict[str, dict[str, plan.Assignment]] = {}
    actions: dict[date, list] = defaultdict(list)
    for position, (key, _kind, due) in enumerate(sorted(keys, key=lambda k: (k[2], k[0]))):
        assignments = plan.assign(story.cast, pairs, key, position, due)
        by_key[key] = assignments
        for code, fate in assignments.items():
            milestone = next(m for m in documents(story.programmes[code]) if m["key"] == key)
            actions[fate.hand_in].append(("hand_in", code, milestone, fate))
            if fate.group == plan.REVISION:
                actions[fate.review].append(("revise", code, milestone, fate))
                assert fate.revised_hand_in is not None
                actions[fate.revised_hand_in].append(("hand_in_again", code, milestone, fate))
            elif fate.review != fate.hand_in:
                actions[fate.review].append(("accept", code, milestone, fate))
    pending: dict[str, dict[str, Any]] = {}

    def run(day_actions: list) -> None:
        def one(item: tuple) -> None:
            what, code, milestone, fate = item
            key = f"milestone:{milestone['id']}"
            if what in ("hand_in", "hand_in_again"):
                submission = hand_in(story, code, milestone, 2 if what == "hand_in_again" else 1)
                pending[key] = submission
                if what == "hand_in_again" or fate.review == fate.hand_in:
                    review(story, code, submission, {"decision": "accept"})
                    story.agenda.met(key)
            elif what == "accept":
                review(story, code, pending[key], {"decision": "accept"})
                story.agenda.met(key)
            else:
                body = {
                    "decision": "request_revision",
                    "comments": plan.comments_for(milestone["key"], milestone["kind"]),
                    "due_date": fate.revised_due.isoformat(),
                }
                review(story, code, pending[key], body)
                tz = story.programmes[code]["timezone"]
                story.agenda.deadline(key, end_of_local_day(fate.revised_due, tz), tz)

        story.api.many(one, day_actions)

    for when, day_actions in sorted(actions.items()):
        story.agenda.at(at_hour(when, HOUR), f"hand-ins and reviews of {when}", lambda a=day_actions: run(a))
    if plan.OUTAGE_KEY in by_key:
        due = next(k[2] for k in keys if k[0] == plan.OUTAGE_KEY)
        outage = (at_hour(due - timedelta(days=6), 0), at_hour(due - timedelta(days=1), 12))
        if story.agenda.outage(*outage):
            story.outages.append(outage)
    return by_key


def tell(story: Story) -> None:
    dates = story.dates
    title = "Pendampingan: decrees, Bimtek I-IV, the Masterplan and its regulation"
    story.display.chapter(5, title, dates.months((2023, 3, 1), (2023, 9, 30)))
    sent_before = story.agenda.monitor.mail_sent()
    start(story)
    by_key = schedule(story)
    end = dates.wib(*CEREMONY, 10) + timedelta(days=225)
    story.run_until("hand-ins, reviews, reminders", end)
    reminded: Counter[tuple[str, str]] = Counter()
    ids = {m["id"]: m["key"] for p in story.programmes.values() for m in milestones(p)}
    for code in story.programmes:
        for item in deliveries(story, code):
            milestone_id = (item.get("deadline_id") or "").removeprefix("mentoring:milestone:")
            if item["kind"].startswith("reminder_") and milestone_id in ids:
                reminded[(ids[milestone_id], code)] += 1
    rows, facts = [], {}
    first = next(iter(story.programmes.values()))
    for milestone in documents(first):
        key = milestone["key"]
        groups = Counter(fate.group for fate in by_key[key].values())
        emails = sum(n for (k, _), n in reminded.items() if k == key)
        facts[key] = {**{g: groups[g] for g in plan.GROUPS}, "reminders": emails}
        rows.append((key, day(datetime.fromisoformat(milestone["due_at"])), *(groups[g] for g in plan.GROUPS), emails))
    story.facts["mentoring"] = facts
    story.display.table(["milestone", "due", *plan.GROUPS, "reminders"], rows)
    progress = story.api.get("mentoring", f"/cohorts/{story.year}/progress")
    story.facts["progress"] = progress["by_stage"]
    story.display.note("Programmes by current stage: " + ", ".join(f"{k} {v}" for k, v in progress["by_stage"].items()))
    for start_, end_ in story.outages:
        story.display.note(f"Reminder outage (skipped mornings) from {day(start_)} to {day(end_)}: one catch-up each.")
    story.display.note(f"Emails sent in this chapter: {int(story.agenda.monitor.mail_sent() - sent_before)}.")
