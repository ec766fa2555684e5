"""Chapter 6: October 2023 to March 2024. The regions keep a register of quick wins per smart city dimension
and carry them out; in early 2024 each self-assesses its first year (monev) with evidence, an assessor
confirms it, and the programme is complete with its achievement index."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from functools import partial
from statistics import mean
from typing import Any

from services.demo import mentoring_plan as plan
from services.demo import people
from services.demo.calendar import at_hour
from services.demo.cast import jitter, merit
from services.demo.chapter_mentoring import HOUR, milestones
from services.demo.display import day
from services.demo.story import Story
from shared.clock import end_of_local_day

QUICK_WINS = (
    ("governance", "Layanan pengaduan warga terpadu dalam satu aplikasi", "Dinas Komunikasi dan Informatika"),
    ("economy", "Pembayaran nontunai retribusi pasar tradisional", "Dinas Perindustrian dan Perdagangan"),
    ("living", "Panggilan darurat 112 terhubung ke puskesmas dan pemadam kebakaran", "Dinas Kesehatan"),
    ("society", "Kelas literasi digital untuk perangkat desa dan kelurahan", "Dinas Komunikasi dan Informatika"),
    ("environment", "Pemantauan pengangkutan sampah berbasis GPS", "Dinas Lingkungan Hidup"),
    ("branding", "Portal promosi wisata dan produk unggulan daerah", "Dinas Pariwisata"),
)
EVALUATION_KEY = "monev_self_assessment"
NOTES = {
    "baseline": "Data dasar indikator smart city tahun 2022 dari Satu Data daerah.",
    "output": "Capaian keluaran program tahun pertama Masterplan.",
    "outcome": "Perubahan layanan yang dirasakan warga, hasil survei kepuasan.",
    "impact": "Dampak awal terhadap indikator RPJMD.",
    "quick_win": "Quick win yang selesai beserta bukti dukungnya.",
}


def quick_wins(story: Story) -> Counter[str]:
    """Two quick wins per region, due in December and January: most done in time, a few after the first
    reminder, one dropped by its mentor."""
    codes = sorted(story.programmes)
    dues = (story.dates.day(2023, 12, 15), story.dates.day(2024, 1, 31))
    after = set(codes[1 :: max(len(codes) // max(story.cast.after_reminder, 1), 1)][: story.cast.after_reminder])
    added: dict[tuple[str, int], dict[str, Any]] = {}

    def add(code: str) -> None:
        for number, due in enumerate(dues):
            dimension, what, owner = QUICK_WINS[(codes.index(code) + 2 * number) % len(QUICK_WINS)]
            body = {"dimension": dimension, "what": what, "owner": owner, "due_date": due.isoformat()}
            path = f"/programmes/{story.programmes[code]['id']}/quick-wins"
            added[(code, number)] = story.api.call("POST", "mentoring", path, role="region", region=code, json=body)
            tz = story.programmes[code]["timezone"]
            story.agenda.deadline(f"quick-win:{code}:{number}", end_of_local_day(due, tz), tz)

    def move(code: str, number: int, status: str) -> None:
        item = added[(code, number)]
        evidence = [f"https://{people.slug(story.region(code))}.{people.DOMAIN}/quick-win/{item['id'][:8]}.pdf"]
        body: dict[str, Any] = {"status": status}
        if status == "done":
            body["evidence"] = evidence
        path = f"/quick-wins/{item['id']}"
        if status == "dropped":
            # Dropping what the Masterplan promised is the mentor's call, agreed with the region.
            story.api.call("PATCH", "mentoring", path, role="mentor", sub=story.mentors[code], json=body)
        else:
            story.api.call("PATCH", "mentoring", path, role="region", region=code, json=body)
        if status in ("done", "dropped"):
            story.agenda.met(f"quick-win:{code}:{number}")

    dropped = codes[-1]
    dates = story.dates
    story.agenda.at(dates.wib(2023, 10, 2), "quick wins registered", lambda: story.api.many(add, codes))
    story.agenda.at(
        dates.wib(2023, 10, 16),
        "quick wins under way",
        lambda: story.api.many(lambda c: [move(c, n, "in_progress") for n in range(2)], codes),
    )
    story.agenda.at(dates.wib(2023, 11, 1), "a quick win dropped", lambda: move(dropped, 1, "dropped"))

    def finish(number: int, regions: list[str]) -> None:
        story.api.many(lambda code: move(code, number, "done"), regions)

    for number, due in enumerate(dues):
        open_ = [c for c in codes if not (c == dropped and number == 1)]
        on_time = [c for c in open_ if c not in after]
        story.agenda.at(at_hour(due - timedelta(days=14), HOUR), "quick wins done", partial(finish, number, on_time))
        late = [c for c in open_ if c in after]
        story.agenda.at(at_hour(due - timedelta(days=7), HOUR), "quick wins done later", partial(finish, number, late))
    return Counter({"done": 2 * len(codes) - 1, "dropped": 1})


def evaluations(story: Story) -> dict[str, plan.Assignment]:
    weights = story.api.get("mentoring", f"/cohorts/{story.year}/evaluation-weights")["weights"]
    first = next(iter(story.programmes.values()))
    evaluation = next(m for m in milestones(first) if m["kind"] == "evaluation")
    due = date.fromisoformat(evaluation["due_date"])
    pairs = [(code, p["timezone"]) for code, p in story.programmes.items()]
    fates = plan.assign(story.cast, pairs, EVALUATION_KEY, 7, due)

    def self_assess(code: str) -> None:
        region = story.region(code)
        base = merit(story.cast, code) - 8
        dimensions = {
            name: {
                "score": round(min(100.0, base + jitter(code, name, "monev")), 1),
                "evidence": [f"https://{people.slug(region)}.{people.DOMAIN}/monev/{story.year}/{name}.pdf"],
                "note": NOTES.get(name),
            }
            for name in weights
        }
        path = f"/programmes/{story.programmes[code]['id']}/evaluations/{story.year}"
        story.api.call("PUT", "mentoring", path, role="region", region=code, json={"dimensions": dimensions})

    def confirm(code: str, corrected: bool) -> None:
        body: dict[str, Any] = {"comments": "Bukti dukung lengkap dan sesuai."}
        if corrected:
            body = {
                "scores": {name: max(0.0, merit(story.cast, code) - 14) for name in weights},
                "comments": "Skor dikoreksi: sebagian bukti dukung belum menunjukkan capaian tahun berjalan.",
            }
        path = f"/programmes/{story.programmes[code]['id']}/evaluations/{story.year}/confirm"
        story.api.call("POST", "mentoring", path, role="assessor", sub="asesor-01", json=body)
        milestone = next(m for m in milestones(story.programmes[code]) if m["kind"] == "evaluation")
        story.agenda.met(f"milestone:{milestone['id']}")

    by_day: dict[date, list[tuple[str, str]]] = {}
    for code, fate in fates.items():
        by_day.setdefault(fate.hand_in, []).append(("self", code))
        by_day.setdefault(fate.review, []).append(("confirm", code))

    def run(items: list[tuple[str, str]]) -> None:
        # A region confirmed the day it hands in hands in first.
        story.api.many(lambda i: self_assess(i[1]), [i for i in items if i[0] == "self"])
        confirmations = [code for what, code in items if what != "self"]
        story.api.many(lambda code: confirm(code, fates[code].group == plan.REVISION), confirmations)

    for when, items in sorted(by_day.items()):
        story.agenda.at(at_hour(when, HOUR), f"monev of {when}", lambda i=items: run(i))
    return fates


def tell(story: Story) -> None:
    dates = story.dates
    story.display.chapter(6, "Quick wins and the first year's monev", dates.months((2023, 10, 1), (2024, 3, 2)))
    sent_before = story.agenda.monitor.mail_sent()
    registered = quick_wins(story)
    fates = evaluations(story)
    story.run_until("quick wins, monev, reminders", dates.wib(2024, 3, 8))
    listed = story.api.get("mentoring", f"/programmes?cohort={story.year}")["items"]
    indices = [p["achievement_index"] for p in listed if p.get("achievement_index") is not None]
    completed = sum(1 for p in listed if p["status"] == "completed")
    groups = Counter(fate.group for fate in fates.values())
    story.facts["monev"] = {
        "confirmed": len(indices),
        "completed": completed,
        "quick_wins": dict(registered),
        "groups": dict(groups),
    }
    rows = [
        ("quick wins registered", 2 * len(story.programmes)),
        ("quick wins done", registered["done"]),
        ("quick wins dropped (agreed with the mentor)", registered["dropped"]),
        ("monev self-assessed on time", groups[plan.ON_TIME] + groups[plan.REVISION]),
        ("monev after the 7-day reminder", groups[plan.AFTER_REMINDER]),
        ("monev late (escalated)", groups[plan.LATE]),
        ("scores corrected by the assessor", groups[plan.REVISION]),
        ("evaluations confirmed", len(indices)),
        ("programmes completed", completed),
    ]
    if indices:
        spread = f"{min(indices):.1f} / {mean(indices):.1f} / {max(indices):.1f}"
        rows.append(("achievement index: lowest / mean / highest", spread))
    rows.append(("emails sent in this chapter", int(story.agenda.monitor.mail_sent() - sent_before)))
    story.display.table(["quick wins and monev", "count"], rows)
    story.display.note(f"The story ends on {day(story.now())}.")
