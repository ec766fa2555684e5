"""How the letters write the programme, dates, times, numbers, regions and offices, in Indonesian and English.

Dates and times follow Tata Naskah Dinas: '28 Februari 2023', 'pukul 10.00 WIB', ranges with 's.d.';
docs/correspondence.md lists every convention.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from shared.clock import MINISTRY_ZONE, zone_abbreviation
from shared.indonesian import MONTHS_ID, PROGRAMME_NAME  # noqa: F401 (the letters import the name from here)
from shared.regions import display_name, government_of, head_of, regulation_of

MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Offices by role, as the ministry's letters name them; the head of region follows the region's kind.
OFFICES = {
    "regional_secretary": ("Sekretaris Daerah", "Regional Secretary"),
    "kominfo_head": (
        "Kepala Dinas Komunikasi dan Informatika",
        "Head of the Communication and Informatics Office",
    ),
    "bappeda_head": (
        "Kepala Badan Perencanaan Pembangunan Daerah",
        "Head of the Regional Development Planning Agency",
    ),
    "bpkpad_head": (
        "Kepala Badan Pengelolaan Keuangan, Pendapatan dan Aset Daerah",
        "Head of the Regional Finance, Revenue and Asset Agency",
    ),
}
HEADS_EN = {"Gubernur": "Governor", "Bupati": "Regent", "Wali Kota": "Mayor"}
REGULATIONS_EN = {"Pergub": "Governor Regulation", "Perbup": "Regent Regulation", "Perwali": "Mayor Regulation"}


def date_id(day: date) -> str:
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def date_en(day: date) -> str:
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def weekday_date_phrases(day: date) -> tuple[str, str]:
    """'Selasa, 28 Februari 2023' and 'Tuesday, 28 February 2023'."""
    return f"{WEEKDAYS_ID[day.weekday()]}, {date_id(day)}", f"{WEEKDAYS_EN[day.weekday()]}, {date_en(day)}"


def local_due_phrases(due_at: datetime, timezone: str) -> tuple[str, str]:
    """'3 Maret 2023 pukul 23.59 WIB' and '3 March 2023, 23:59 WIB', in the region's own zone."""
    local = due_at.astimezone(ZoneInfo(timezone))
    zone = zone_abbreviation(timezone)
    return f"{date_id(local.date())} pukul {local:%H.%M} {zone}", f"{date_en(local.date())}, {local:%H:%M} {zone}"


def local_date_phrases(instant: datetime, timezone: str) -> tuple[str, str]:
    """The local calendar day of ``instant``, e.g. '3 Maret 2023' and '3 March 2023'."""
    local = instant.astimezone(ZoneInfo(timezone)).date()
    return date_id(local), date_en(local)


def clock_phrases(instant: datetime, timezone: str) -> tuple[str, str]:
    """One instant as the ministry (WIB) and the region read it: '10.00 WIB / 12.00 WIT', or '10.00 WIB'
    alone in a WIB region; the region's date follows its time when midnight lies between the two."""
    ministry = instant.astimezone(ZoneInfo(MINISTRY_ZONE))
    local = instant.astimezone(ZoneInfo(timezone))
    ministry_zone, local_zone = zone_abbreviation(MINISTRY_ZONE), zone_abbreviation(timezone)
    id_text, en_text = f"{ministry:%H.%M} {ministry_zone}", f"{ministry:%H:%M} {ministry_zone}"
    if local_zone != ministry_zone:
        id_text += f" / {local:%H.%M} {local_zone}"
        en_text += f" / {local:%H:%M} {local_zone}"
        if local.date() != ministry.date():
            id_text += f" ({date_id(local.date())})"
            en_text += f" ({date_en(local.date())})"
    return id_text, en_text


def appointment_phrases(instant: datetime, timezone: str) -> dict[str, str]:
    """The day (as the ministry dates it) and the time of a ceremony, both languages."""
    day_id, day_en = weekday_date_phrases(instant.astimezone(ZoneInfo(MINISTRY_ZONE)).date())
    time_id, time_en = clock_phrases(instant, timezone)
    return {"day_id": day_id, "day_en": day_en, "time_id": time_id, "time_en": time_en}


def has_time_of_day(instant: datetime, timezone: str) -> bool:
    """Whether an instant names a time worth writing: not the start or the end of its local day, which
    is how a producer gives a date alone."""
    local = instant.astimezone(ZoneInfo(timezone)).time().replace(second=0, microsecond=0)
    return local not in (time(0, 0), time(23, 59))


def date_range_phrases(first: date, last: date) -> tuple[str, str]:
    """'Senin s.d. Selasa, 13 s.d. 14 Maret 2023' and 'Monday to Tuesday, 13 to 14 March 2023'; one day alone
    as 'Senin, 13 Maret 2023'."""
    if first == last:
        return weekday_date_phrases(first)
    days_id = f"{WEEKDAYS_ID[first.weekday()]} s.d. {WEEKDAYS_ID[last.weekday()]}"
    days_en = f"{WEEKDAYS_EN[first.weekday()]} to {WEEKDAYS_EN[last.weekday()]}"
    if (first.year, first.month) == (last.year, last.month):
        span_id = f"{first.day} s.d. {date_id(last)}"
        span_en = f"{first.day} to {date_en(last)}"
    elif first.year == last.year:
        span_id = f"{first.day} {MONTHS_ID[first.month - 1]} s.d. {date_id(last)}"
        span_en = f"{first.day} {MONTHS_EN[first.month - 1]} to {date_en(last)}"
    else:
        span_id, span_en = f"{date_id(first)} s.d. {date_id(last)}", f"{date_en(first)} to {date_en(last)}"
    return f"{days_id}, {span_id}", f"{days_en}, {span_en}"


def decimal_phrases(value: float, places: int = 2) -> tuple[str, str]:
    """'79,90' (a decimal comma in Indonesian) and '79.90'."""
    english = f"{value:.{places}f}"
    return english.replace(".", ","), english


def region_label(name: str | None, code: str) -> str:
    """'Provinsi Sumatera Utara', 'Kabupaten Tapanuli Tengah': the region as letters write it; the code when
    no name is known, and the name as given for a code outside the Kemendagri scheme."""
    if not name:
        return code
    try:
        return display_name(name, code)
    except ValueError:
        return name


def office_phrases(role: str, region_code: str) -> tuple[str, str]:
    """The office a role names, e.g. ('Kepala Badan Perencanaan Pembangunan Daerah', 'Head of ...'); a
    value that is not a known role (a person's name, an agency) is written as given."""
    if role == "head_of_region":
        try:
            head = head_of(region_code)
        except ValueError:
            return "Kepala Daerah", "Head of Region"
        return head, HEADS_EN[head]
    return OFFICES.get(role, (role, role))


def government_phrases(name: str | None, code: str) -> tuple[str, str]:
    """'Pemerintah Kabupaten Tapanuli Tengah' and 'the Government of Kabupaten Tapanuli Tengah'."""
    label = region_label(name, code)
    try:
        return government_of(name or label, code), f"the Government of {label}"
    except ValueError:
        return f"Pemerintah {label}", f"the Government of {label}"


def regulation_phrases(code: str) -> tuple[str, str]:
    """What enacts a region's Masterplan: ('Peraturan Bupati (Perbup)', 'Regent Regulation (Perbup)')."""
    try:
        short, long = regulation_of(code)
    except ValueError:
        return "peraturan kepala daerah", "regulation of the head of region"
    return f"{long} ({short})", f"{REGULATIONS_EN[short]} ({short})"


def list_phrases(items: list[tuple[str, str]]) -> tuple[str, str]:
    """('A, B, dan C', 'A, B and C') from (Indonesian, English) pairs; empty strings for none."""

    def joined(words: list[str], conjunction: str, comma: str) -> str:
        if len(words) <= 1:
            return "".join(words)
        return f"{', '.join(words[:-1])}{comma} {conjunction} {words[-1]}"

    return joined([i for i, _ in items], "dan", "," if len(items) > 2 else ""), joined([e for _, e in items], "and", "")
