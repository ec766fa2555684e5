"""Chapter 4: the Nota Kesepakatan. A draft appears for each selected region; the ministry schedules one
online ceremony on 28 February 2023, later than the thirty days after selection, so nobody is escalated for
the first date; every region is reminded the day before in its own morning, and all sign in one session."""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime
from typing import Any

from services.demo import people
from services.demo.agenda import DAY_BEFORE
from services.demo.api import DemoError
from services.demo.calendar import CEREMONY
from services.demo.cast import TAPANULI_TENGAH
from services.demo.display import wib
from services.demo.story import Story
from shared.clock import end_of_local_day, zone_abbreviation

VENUE = "https://vicon.example.go.id/penandatanganan-nota-kesepakatan"
INVITED = ["kominfo_head", "bappeda_head", "bpkpad_head"]
PRESENT = ["Kepala Bappeda", "Kepala BPKPAD", "Kepala Dinas Komunikasi dan Informatika"]


def wait_for(fetch, expected: int, what: str, timeout: float = 180.0) -> list[dict[str, Any]]:  # noqa: ANN001
    """Poll until the service holds ``expected`` items: they are made by its worker from events."""
    deadline = time.monotonic() + timeout
    while True:
        items = fetch()
        if len(items) >= expected:
            return items
        if time.monotonic() > deadline:
            raise DemoError(f"{what}: {len(items)} of {expected} after {timeout:.0f}s; is every worker running?")
        time.sleep(0.3)


def tell(story: Story) -> None:
    dates = story.dates
    title = "Nota Kesepakatan: one signing ceremony for the cohort"
    story.display.chapter(4, title, dates.months((2022, 11, 14), (2023, 2, 28)))
    selected = story.selected()
    sent_before = story.agenda.monitor.mail_sent()
    drafts = wait_for(
        lambda: story.api.get("mou", f"/agreements?cohort={story.year}")["items"], len(selected), "draft agreements"
    )
    for agreement in drafts:
        story.agreements[agreement["region_code"]] = agreement
        due = end_of_local_day(datetime.fromisoformat(agreement["sign_by"]).date(), agreement["timezone"])
        story.agenda.deadline(f"mou:{agreement['region_code']}", due, agreement["timezone"])
    first_sign_by = min(a["sign_by"] for a in drafts)
    ceremony_day = dates.day(*CEREMONY)

    def schedule() -> None:
        body = {
            "agreement_ids": [story.agreements[r.code]["id"] for r in selected],
            "scheduled_at": dates.ceremony_wall_clock(),  # no offset: the MoU service reads it in WIB
            "mode": "online",
            "venue": VENUE,
            "attendees": INVITED,
        }
        answer = story.api.call("POST", "mou", "/ceremonies/schedule", json=body)
        for agreement in answer["items"]:
            story.agreements[agreement["region_code"]] = agreement
            # The ceremony is the signing deadline now, reminded the day before and never escalated.
            due = end_of_local_day(ceremony_day, agreement["timezone"])
            story.agenda.deadline(f"mou:{agreement['region_code']}", due, agreement["timezone"], DAY_BEFORE)

    def sign() -> None:
        entries = []
        for number, region in enumerate(selected, start=1):
            is_tapteng = region.code == TAPANULI_TENGAH
            entries.append(
                {
                    "agreement_id": story.agreements[region.code]["id"],
                    "signatories": [people.signatory(region)],
                    "region_number": "180/12/NK/2023" if is_tapteng else f"180/{number:02d}/NK/{story.year}",
                    "ministry_number": f"NK.{number:02d}/DJAI/{story.year}",
                    "attendees": PRESENT,
                }
            )
        body = {
            "signed_at": dates.wib(*CEREMONY, 10, 30).isoformat(),
            "signatories": [people.MINISTRY_SIGNATORY],
            "agreements": entries,
        }
        answer = story.api.call("POST", "mou", "/ceremonies/sign", json=body)
        for agreement in answer["items"]:
            story.agreements[agreement["region_code"]] = agreement
            story.agenda.met(f"mou:{agreement['region_code']}")

    story.agenda.at(dates.wib(2022, 12, 5), "ceremony scheduled", schedule)
    story.agenda.at(dates.wib(*CEREMONY, 10, 45), "ceremony: signing", sign)
    story.run_until("drafts, invitation, signing", dates.wib(*CEREMONY, 11))
    mail = int(story.agenda.monitor.mail_sent() - sent_before)
    statuses = Counter(a["status"] for a in story.agreements.values())
    zones = Counter(zone_abbreviation(a["timezone"]) for a in story.agreements.values())
    story.facts["agreements"] = {
        "drafted": len(drafts),
        "signed": statuses["signed"],
        "first_sign_by": first_sign_by,
        "scheduled_at": next(iter(story.agreements.values()))["scheduled_at"],
    }
    story.display.table(
        ["Nota Kesepakatan", "count"],
        [
            ("drafted on selection", len(drafts)),
            (f"signing due by (30 days after selection): {first_sign_by}", len(drafts)),
            ("moved to the ceremony, reminded the day before", len(drafts)),
            ("signed on " + ceremony_day.isoformat(), statuses["signed"]),
            *((f"signed from {zone}", n) for zone, n in sorted(zones.items())),
            ("emails: invitations, reminders, signed MoUs, Bimtek schedules", mail),
        ],
    )
    tapteng = story.agreements.get(TAPANULI_TENGAH)
    if tapteng is not None:
        signer = next(s for s in tapteng["signatories"] if s["party"] == "region")
        story.display.note(
            f"{tapteng['number']} {tapteng['region_name']}: signed by {signer['position']} {signer['name']}, "
            f"{signer['title']}, on behalf of the {signer['on_behalf_of']}."
        )
    story.display.note(f"The ceremony: {wib(dates.wib(*CEREMONY, 10))} = 11:00 WITA = 12:00 WIT, online.")
