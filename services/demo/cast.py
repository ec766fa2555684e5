"""Who applies to the 2023 cohort, who is selected, and how each region fares: the story's fixed cast.

Regions are named by their Kemendagri codes only; names and time zones come from the register the demo
imports. The full cast is the real cohort's size: 8 provinces and 88 kabupaten/kota apply, 2 and 50 are
selected. A smaller cast tells the same story faster (the end-to-end test uses one).
"""

from __future__ import annotations

import csv
import zlib
from dataclasses import dataclass
from importlib import resources

TAPANULI_TENGAH = "12.01"

PROVINCES_SELECTED = ("32", "64")
PROVINCES_OTHERS = ("12", "34", "35", "51", "73", "81")
KABKOTA_SELECTED = (
    # WIB
    "12.01", "12.12", "12.17", "11.71", "13.71", "13.75", "14.08", "14.71", "15.71", "16.71", "17.71",
    "18.71", "18.10", "19.02", "21.71", "31.71", "32.13", "32.14", "32.76", "32.77", "33.02", "33.11",
    "33.72", "34.02", "34.04", "35.10", "35.15", "35.73", "36.72", "36.74", "61.71", "61.72", "62.71",
    # WITA
    "51.03", "51.71", "52.71", "53.15", "53.71", "63.72", "64.71", "64.72", "65.71", "71.71", "73.71", "75.71",
    # WIT
    "81.71", "82.71", "91.71", "92.02", "96.71",
)  # fmt: skip
KABKOTA_OTHERS = (
    "11.06", "12.05", "12.07", "13.06", "14.03", "15.05", "16.07", "17.02", "18.01", "19.71", "21.01",
    "32.04", "32.09", "32.16", "33.19", "33.22", "34.03", "35.07", "35.25", "36.03", "61.12", "62.02",
    "51.04", "51.08", "52.03", "53.10", "63.03", "64.02", "71.02", "72.71", "73.06", "74.71", "76.02",
    "81.01", "82.03", "91.03", "93.01", "94.04",
)  # fmt: skip


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    kind: str  # provinsi, kabupaten, kota
    province_code: str | None
    timezone: str

    @property
    def quota_group(self) -> str:
        return "provinsi" if self.kind == "provinsi" else "kabkota"

    @property
    def short_name(self) -> str:
        """'Tapanuli Tengah' for 'Kabupaten Tapanuli Tengah', as a regent's title names it."""
        for prefix in ("Kabupaten ", "Kota Administrasi ", "Kota ", "Provinsi "):
            if self.name.startswith(prefix):
                return self.name[len(prefix) :]
        return self.name


@dataclass(frozen=True)
class Cast:
    selected: tuple[str, ...]  # in the order of merit the assessors will find
    others: tuple[str, ...]
    quotas: dict[str, int]
    mentors: int
    # How many regions, per milestone, hand in after the first reminder, need a revision, or are late.
    after_reminder: int
    revisions: int
    late: int

    @property
    def applicants(self) -> tuple[str, ...]:
        return self.selected + self.others


def full_cast() -> Cast:
    """The 2023 cohort's numbers: 96 applicants, 2 provinces and 50 kabupaten/kota selected."""
    return Cast(
        selected=PROVINCES_SELECTED + KABKOTA_SELECTED,
        others=PROVINCES_OTHERS + KABKOTA_OTHERS,
        quotas={"provinsi": len(PROVINCES_SELECTED), "kabkota": len(KABKOTA_SELECTED)},
        mentors=10,
        after_reminder=6,
        revisions=2,
        late=2,
    )


def small_cast() -> Cast:
    """The same story with a handful of regions in all three zones, for a quick run."""
    selected = ("32", "12.01", "35.73", "51.71", "73.71", "91.71")
    others = ("12", "33.19", "52.03", "81.01")
    return Cast(
        selected=selected,
        others=others,
        quotas={"provinsi": 1, "kabkota": 5},
        mentors=2,
        after_reminder=1,
        revisions=1,
        late=1,
    )


def register_rows() -> list[dict[str, str]]:
    """The Kemendagri register bundled with Cerdas, as the rows the demo imports over HTTP."""
    path = resources.files("services.assessment").joinpath("data/regions_id.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def regions_by_code(rows: list[dict[str, str]]) -> dict[str, Region]:
    return {
        row["code"]: Region(row["code"], row["name"], row["kind"], row["province_code"] or None, row["timezone"])
        for row in rows
    }


def jitter(*parts: str, spread: int = 3) -> int:
    """A small, repeatable variation (-spread..spread) for a region and a criterion: the same every run."""
    return zlib.crc32("|".join(parts).encode()) % (2 * spread + 1) - spread


def merit(cast: Cast, code: str) -> float:
    """The score the region's readiness deserves: every selected region well above every other one, in an
    order that owes nothing to where the region lies."""
    group = cast.selected if code in cast.selected else cast.others
    order = sorted(group, key=lambda c: zlib.crc32(f"merit|{c}".encode()))
    return (90.0 if group is cast.selected else 68.0) - 0.3 * order.index(code)
