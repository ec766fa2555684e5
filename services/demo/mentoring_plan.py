"""How each region fares with each deliverable: on time, after the first reminder, after a revision, or late.

Per milestone the late and revised regions come from one zone, a different one each time, so every zone
sees its own mornings of reminders and escalations without the demo stopping in three zones every day.
One milestone's last days fall in a reminder outage (the story skips those mornings): its late regions get
one catch-up email on the due date instead of each reminder they missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from services.demo.cast import TAPANULI_TENGAH, Cast
from shared.clock import zone_abbreviation

ON_TIME, AFTER_REMINDER, REVISION, LATE = "on time", "after the 7-day reminder", "revised", "late (escalated)"
GROUPS = (ON_TIME, AFTER_REMINDER, REVISION, LATE)
# The zone whose regions are late with each deliverable; the one in the outage is late in WIT, the first
# zone to reach any morning, so its catch-up goes out at the first stop after the outage.
FOCUS = {"buku_1": "WITA", "buku_2": "WIT", "buku_3": "WIT", "buku_4": "WIB", "masterplan_final": "WITA"}
OUTAGE_KEY = "buku_3"
# Days relative to the local due date.
SUBMIT_EARLY, REVIEW_EARLY, AFTER_FIRST, LATE_HAND_IN, REVISED_HAND_IN, REVISION_DAYS = -10, -8, -7, 3, 5, 10
COMMENTS = {
    "decree": "Diktum SK belum memuat tugas serta susunan keanggotaan yang lengkap; sertakan unsur Bappeda dan "
    "Dinas Komunikasi dan Informatika.",
    "buku_1": "Analisis kesenjangan belum memetakan kesiapan suprastruktur; lengkapi matriks SWOT dan selaraskan "
    "visi dengan RPJMD.",
    "buku_2": "Pemetaan program belum merujuk Renstra OPD; lengkapi rencana aksi jangka pendek, menengah dan panjang.",
    "buku_3": "Roadmap belum memuat quick win per dimensi beserta indikator capaiannya.",
    "buku_4": "Pilih program tahun 1-2 yang didukung anggaran dan tetapkan quick win unggulan.",
    "masterplan": "Sinkronkan keempat buku dan lampirkan matriks indikator kinerja per dimensi.",
    "regulation": "Rancangan peraturan kepala daerah perlu diharmonisasi dengan Bagian Hukum sebelum ditetapkan.",
}
NOTES = {
    "decree": "Salinan SK yang telah ditandatangani kepala daerah.",
    "book": "Dokumen buku Masterplan Smart City hasil Bimtek.",
    "masterplan": "Masterplan Smart City final, disahkan Dewan Smart City.",
    "regulation": "Salinan peraturan kepala daerah tentang Masterplan Smart City yang telah diundangkan.",
}


@dataclass(frozen=True)
class Assignment:
    """One region's fate with one milestone."""

    group: str
    hand_in: date  # the local day of the (first) hand-in
    review: date  # the day of the mentor's first decision
    revised_due: date | None = None
    revised_hand_in: date | None = None


def comments_for(key: str, kind: str) -> str:
    return COMMENTS.get(key) or COMMENTS.get(kind) or COMMENTS["masterplan"]


def note_for(kind: str) -> str:
    return NOTES.get(kind, NOTES["book"])


def focus_zone(key: str, position: int) -> str:
    return FOCUS.get(key, ("WIB", "WITA", "WIT")[position % 3])


def assign(cast: Cast, programmes: list[tuple[str, str]], key: str, position: int, due: date) -> dict[str, Assignment]:
    """Each region's group for milestone ``key`` (the ``position``-th to fall due), given (code, timezone) pairs."""
    zone = focus_zone(key, position)
    ordered = sorted(programmes)
    turn = position * 5 % max(len(ordered), 1)
    ordered = ordered[turn:] + ordered[:turn]
    in_zone = [code for code, tz in ordered if zone_abbreviation(tz) == zone]
    rest = [code for code, tz in ordered if zone_abbreviation(tz) != zone]
    late = [code for code in in_zone if code != TAPANULI_TENGAH][: cast.late]
    pool = [code for code in in_zone + rest if code not in late]
    revised = pool[: cast.revisions]
    # After the first reminder: spread over every zone, so each zone's mornings are seen.
    remaining = [code for code, _ in ordered if code not in late and code not in revised]
    by_zone = {z: [c for c in remaining if zone_abbreviation(dict(programmes)[c]) == z] for z in ("WIB", "WITA", "WIT")}
    after: list[str] = []
    while len(after) < cast.after_reminder and any(by_zone.values()):
        for members in by_zone.values():
            if members and len(after) < cast.after_reminder:
                after.append(members.pop(0))
    plan: dict[str, Assignment] = {}
    for code, _ in programmes:
        if code in late:
            plan[code] = Assignment(LATE, _d(due, LATE_HAND_IN), _d(due, LATE_HAND_IN))
        elif code in revised:
            plan[code] = Assignment(
                REVISION,
                _d(due, SUBMIT_EARLY),
                _d(due, REVIEW_EARLY),
                revised_due=_d(due, REVISION_DAYS),
                revised_hand_in=_d(due, REVISED_HAND_IN),
            )
        elif code in after:
            plan[code] = Assignment(AFTER_REMINDER, _d(due, AFTER_FIRST), _d(due, AFTER_FIRST))
        else:
            plan[code] = Assignment(ON_TIME, _d(due, SUBMIT_EARLY), _d(due, REVIEW_EARLY))
    return plan


def _d(day: date, offset: int) -> date:
    return day + timedelta(days=offset)
