"""Chapter 1: the Kemendagri register, the applicants' officials, and the 2023 cohort opening."""

from __future__ import annotations

from collections import Counter

from services.demo import people
from services.demo.api import DemoError
from services.demo.cast import regions_by_code, register_rows
from services.demo.display import day, wib
from services.demo.story import Story
from shared.clock import zone_abbreviation

IMPORT_BATCH = 100


def check_fresh(story: Story) -> None:
    """The story starts from an empty programme: a cohort of the same year means the demo already ran."""
    existing = story.api.call("GET", "assessment", f"/cohorts/{story.year}", ok=(200, 404))
    if existing and existing.get("year") == story.year:
        raise DemoError(
            f"cohort {story.year} already exists on these services: the demo tells its story on an empty system. "
            "Stop `make run` (Ctrl-C), remove its data with `rm -rf var`, start it again and rerun `cerdas demo` "
            "(with docker compose: `docker compose down -v && docker compose up -d`)."
        )


def tell(story: Story) -> None:
    dates = story.dates
    story.display.chapter(1, "The region register and the applicants' officials", wib(story.now()))
    rows = register_rows()
    story.regions = regions_by_code(rows)
    missing = [code for code in story.cast.applicants if code not in story.regions]
    if missing:
        raise DemoError(f"the bundled register lacks {', '.join(missing)}")
    with story.display.progress("Kemendagri register", len(rows)) as bar:
        created = 0
        for first in range(0, len(rows), IMPORT_BATCH):
            batch = [
                {k: (row[k] or None) for k in ("code", "name", "kind", "province_code", "timezone")}
                for row in rows[first : first + IMPORT_BATCH]
            ]
            result = story.api.call("POST", "assessment", "/regions/import", json={"regions": batch})
            created += result["created"] + result["updated"] + result["unchanged"]
            bar.update(first + len(batch))
    applicants = story.applicants()
    with story.display.progress("officials of the applicants", len(applicants)) as bar:

        def register(region) -> int:  # noqa: ANN001
            answer = story.api.call(
                "PUT", "assessment", f"/regions/{region.code}/officials", json={"officials": people.officials(region)}
            )
            return len(answer["officials"])

        officials = sum(story.api.many(register, applicants, tick=bar.advance))
    cohort = story.api.call(
        "POST",
        "assessment",
        "/cohorts",
        json={
            "year": story.year,
            "quotas": story.cast.quotas,
            "applications_open_at": dates.wib(2022, 6, 1, 0).isoformat(),
            "applications_close_at": dates.end_of_day(2022, 7, 31).isoformat(),
            "assessment_due_at": dates.end_of_day(2022, 10, 31).isoformat(),
        },
    )
    story.rubric = cohort["rubric"]
    story.agenda.changed()
    kinds = Counter(story.regions[code].kind for code in story.regions)
    zones = Counter(zone_abbreviation(region.timezone) for region in applicants)
    story.facts["register"] = {"regions": created, **kinds}
    story.facts["officials"] = officials
    story.display.table(
        ["what", "count"],
        [
            ("provinsi in the register", kinds["provinsi"]),
            ("kabupaten", kinds["kabupaten"]),
            ("kota", kinds["kota"]),
            ("officials registered (fictitious)", officials),
            *((f"applicants in {zone}", n) for zone, n in sorted(zones.items())),
        ],
    )
    story.display.note(
        f"Cohort {story.year} opens for applications on {wib(dates.wib(2022, 6, 1, 0))} and closes at the end of "
        f"{day(dates.end_of_day(2022, 7, 31))}; quotas: {story.cast.quotas['provinsi']} provinsi, "
        f"{story.cast.quotas['kabkota']} kabupaten/kota. Addresses are @<region>.{people.DOMAIN}."
    )
