"""Chapter 2: June and July 2022, the regions apply with their self-assessment; some finish it only after
being reminded, two never do and are escalated to their regional secretary and head of region."""

from __future__ import annotations

from collections import Counter
from typing import Any

from services.demo import people
from services.demo.cast import Region, jitter, merit
from services.demo.display import wib
from services.demo.mail import reminders_by_kind
from services.demo.story import Story

NARRATIVES = {
    "struktur": "Tim TIK daerah dan Dewan Smart City dalam pembentukan; anggaran TIK tersedia dalam APBD.",
    "infrastruktur": "Jaringan serat optik antar-OPD, pusat data daerah dan titik akses internet publik.",
    "suprastruktur": "Peraturan kepala daerah tentang SPBE dan satu data daerah telah ditetapkan.",
    "smart_governance": "Layanan perizinan dan pengaduan daring terintegrasi dalam satu portal.",
    "smart_branding": "Promosi wisata dan produk unggulan daerah melalui kanal digital resmi.",
    "smart_economy": "Pendampingan UMKM masuk lokapasar dan pembayaran nontunai retribusi pasar.",
    "smart_living": "Layanan kesehatan dan kegawatdaruratan terpadu melalui nomor tunggal 112.",
    "smart_society": "Ruang belajar digital warga dan pelatihan literasi digital di setiap kecamatan.",
    "smart_environment": "Pemantauan sampah dan kualitas udara serta peringatan dini banjir.",
}
WAVES = ((2022, 6, 8), (2022, 6, 22), (2022, 7, 13))
# The day those who applied incomplete finish, after the first reminder (24-25 July, by zone).
COMPLETED = (2022, 7, 25)


def answer(region: Region, key: str, score: float) -> dict[str, Any]:
    return {
        "score": score,
        "narrative": NARRATIVES.get(key, "Program berjalan sesuai rencana induk daerah."),
        "evidence": [f"https://{people.slug(region)}.{people.DOMAIN}/smartcity/bukti/{key}.pdf"],
    }


def answers(story: Story, region: Region, keys: list[str]) -> dict[str, Any]:
    base = merit(story.cast, region.code)
    return {key: answer(region, key, min(100.0, base + jitter(region.code, key, "self"))) for key in keys}


def plan(story: Story) -> tuple[list[str], list[str]]:
    """Who completes the self-assessment only after the first reminder, and who never completes it."""
    others = list(story.cast.others)
    never = [others[len(others) // 2], others[-1]]
    after = [code for code in story.cast.applicants[3::11] if code not in never][: max(2, len(others) // 4)]
    return after, never


def tell(story: Story) -> None:
    dates = story.dates
    story.display.chapter(2, f"Applications to the {story.year} cohort", dates.months((2022, 6, 1), (2022, 7, 31)))
    keys = [criterion["key"] for criterion in story.rubric]
    after, never = plan(story)
    applicants = story.applicants()
    close = dates.end_of_day(2022, 7, 31)
    assessment_due = dates.end_of_day(2022, 10, 31)
    sent_before = story.agenda.monitor.mail_sent()

    def apply(region: Region) -> None:
        partial = region.code in after or region.code in never
        body = {"region_code": region.code, "answers": answers(story, region, keys[:3] if partial else keys)}
        application = story.api.call(
            "POST", "assessment", f"/cohorts/{story.year}/applications", role="region", region=region.code, json=body
        )
        story.applications[region.code] = application["id"]
        if partial:
            story.agenda.deadline(f"self-assessment:{region.code}", close, region.timezone)
        story.agenda.deadline(f"assessment:{region.code}", assessment_due, region.timezone)

    def wave(regions: list[Region]) -> None:
        story.api.many(apply, regions)

    for number, when in enumerate(WAVES):
        story.agenda.at(dates.wib(*when), f"applications, wave {number + 1}", lambda n=number: wave(applicants[n::3]))

    def complete() -> None:
        def finish(code: str) -> None:
            region = story.region(code)
            story.api.call(
                "PUT",
                "assessment",
                f"/applications/{story.applications[code]}/answers",
                role="region",
                region=code,
                json={"answers": answers(story, region, keys[3:])},
            )
            story.agenda.met(f"self-assessment:{code}")

        story.api.many(finish, after)

    story.agenda.at(dates.wib(*COMPLETED), "self-assessments completed after the reminder", complete)
    story.run_until("applications and reminders", dates.wib(2022, 8, 5))
    listed = story.api.get("assessment", f"/cohorts/{story.year}/applications")["items"]
    kinds = Counter(item["kind"] for item in listed)
    reminders = reminders_by_kind(story, [*after, *never], dates.start)
    story.facts["applications"] = {
        "total": len(listed),
        "provinsi": kinds["provinsi"],
        "kabkota": kinds["kabupaten"] + kinds["kota"],
        "completed_after_reminder": len(after),
        "never_completed": len(never),
        "reminders": reminders,
    }
    story.display.table(
        ["applications", "count"],
        [
            ("provinsi", kinds["provinsi"]),
            ("kabupaten/kota", kinds["kabupaten"] + kinds["kota"]),
            ("self-assessment complete on applying", len(listed) - len(after) - len(never)),
            ("completed after the 7-day reminder", len(after)),
            ("never completed (escalated, then frozen by scoring)", len(never)),
            *((f"reminder emails: {kind}", n) for kind, n in sorted(reminders.items())),
            ("emails sent in this chapter", int(story.agenda.monitor.mail_sent() - sent_before)),
        ],
    )
    names = ", ".join(story.region(code).name for code in never)
    story.display.note(f"Escalated: {names} (overdue reminders reach the Sekda, then the head of region).")
    story.display.note(f"Applications closed at {wib(close)}.")
