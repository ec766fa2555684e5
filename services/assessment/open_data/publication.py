"""What a finalised cohort publishes: its rows, read once, and the Indonesian texts every format shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.assessment import domain, views
from services.assessment.open_data.crosswalk import bps_codes
from services.assessment.repository import get_cohort, list_applications, rubric_of, score_sheets
from shared.clock import utc
from shared.errors import Conflict
from shared.indonesian import MONTHS_ID, PROGRAMME_NAME
from shared.uow import UnitOfWork

# The publisher sits in Jakarta and cohort dates are set in WIB (the CLI reads bare dates there), so the
# published dates are WIB dates: a window opening at 00:00 WIB is "1 Juni", not "31 Mei" as in UTC.
ZONE = "Asia/Jakarta"
PUBLISHER = "Direktorat Jenderal Aplikasi Informatika, Kementerian Komunikasi dan Informatika"
MINISTRY = "Kementerian Komunikasi dan Informatika"
LICENCE_ID = "CC-BY-4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_TITLE = "Creative Commons Atribusi 4.0 Internasional"
OUTCOMES = {"selected": "terpilih", "not_selected": "tidak terpilih", "withdrawn": "mengundurkan diri"}
# The same order as domain.TIE_BREAK_RULE, which is written for operators; this is the public wording.
TIE_BREAK = (
    "nilai total tertimbang yang lebih tinggi lebih dahulu; bila sama, pendaftaran yang lebih awal; "
    "bila masih sama, kode wilayah Kemendagri yang lebih kecil"
)
KEYWORDS = (
    "kota cerdas",
    "kabupaten cerdas",
    PROGRAMME_NAME,
    "seleksi",
    "penilaian kesiapan",
    "Satu Data Indonesia",
    "kode wilayah Kemendagri",
)
MONTHS = MONTHS_ID


def local(instant: datetime) -> datetime:
    """An instant as WIB wall time, to the second."""
    return utc(instant).astimezone(ZoneInfo(ZONE)).replace(microsecond=0)


def spelled(day: date) -> str:
    """'1 Juni 2022'."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Publication:
    """A finalised cohort's results with the facts its metadata needs, all instants in WIB."""

    year: int
    quota_provinsi: int
    quota_kabkota: int
    opens_at: datetime
    closes_at: datetime
    assessment_due_at: datetime
    finalized_at: datetime | None
    rubric: domain.Rubric
    rows: tuple[dict[str, Any], ...]
    provinces: tuple[dict[str, Any], ...]

    @property
    def name(self) -> str:
        """The package's machine name: lower case, digits and hyphens, as Data Package names must be."""
        return f"menuju-kota-cerdas-{self.year}-hasil-seleksi"

    @property
    def title(self) -> str:
        return f"Hasil Seleksi {PROGRAMME_NAME} Tahun {self.year}"

    @property
    def start(self) -> date:
        return self.opens_at.date()

    @property
    def end(self) -> date:
        return self.assessment_due_at.date()

    @property
    def without_bps(self) -> int:
        return sum(1 for row in self.rows if not row["kode_bps"])

    @property
    def crosswalk_note(self) -> str:
        """Says plainly how far the bundled crosswalk reaches, so an empty kode_bps reads as missing, not as
        a region without a BPS code."""
        if self.rows and not self.without_bps:
            return "Kode BPS semua wilayah diisi dari tabel padanan kode Kemendagri-BPS yang dibundel."
        gap = f", sehingga kode BPS kosong untuk {self.without_bps} dari {len(self.rows)} wilayah" if self.rows else ""
        return (
            f"Tabel padanan kode Kemendagri-BPS yang lengkap belum dibundel{gap}; kode BPS hanya diisi bila "
            "padanannya tersedia dan tidak pernah diturunkan dari kode Kemendagri."
        )

    @property
    def description(self) -> str:
        return (
            "Hasil penilaian kesiapan (struktur, infrastruktur, suprastruktur) dan dimensi kota cerdas bagi "
            f"provinsi dan kabupaten/kota yang mendaftar {PROGRAMME_NAME} tahun "
            f"{self.year}, beserta hasil seleksinya dengan kuota {self.quota_provinsi} provinsi dan "
            f"{self.quota_kabkota} kabupaten/kota. Pendaftaran dibuka {spelled(self.start)} sampai "
            f"{spelled(self.closes_at.date())} dan penilaian berakhir {spelled(self.end)} (tanggal menurut "
            f"WIB). Urutan bila nilai total sama: {TIE_BREAK}. Wilayah dirujuk dengan kode wilayah "
            f"Kemendagri. {self.crosswalk_note}"
        )


def publication(uow: UnitOfWork, year: int, crosswalk: Mapping[str, str] | None = None) -> Publication:
    """Refused until the cohort is finalised: open data publishes outcomes, never a ranking in progress."""
    cohort = get_cohort(uow, year)
    if cohort.status != "finalized":
        raise Conflict(
            f"cohort {year} is {cohort.status}; results are published once selection has finalised it "
            f"(see /cohorts/{year}/ranking meanwhile)",
            rule="cohort_finalized",
        )
    bps = bps_codes() if crosswalk is None else crosswalk
    rubric = rubric_of(cohort)
    rows = []
    for application, region in list_applications(uow, year):
        combined = domain.combine_assessors(s["scores"] for s in score_sheets(uow, application.id).values())
        row: dict[str, Any] = {
            "tahun": year,
            "kode_wilayah": region.code,
            "kode_bps": bps.get(region.code),
            "nama_wilayah": region.name,
            "jenis_wilayah": region.kind,
            "kode_provinsi": region.province_code,
            "kelompok_kuota": domain.quota_group(region.kind),
            "nilai_total": application.total,
            "peringkat": application.rank or None,
            "status_seleksi": OUTCOMES.get(application.status, application.status),
        }
        for criterion in rubric.criteria:
            value = combined.get(criterion.key)
            row[f"nilai_{criterion.key}"] = round(value, 4) if value is not None else None
        rows.append(row)
    rows.sort(
        key=lambda r: (
            r["kelompok_kuota"] != "provinsi",
            r["peringkat"] is None,
            r["peringkat"] or 0,
            r["kode_wilayah"],
        )
    )
    # Only the provinces the rows name: the reference that kode_provinsi points to.
    named = {r["kode_provinsi"] for r in rows if r["kode_provinsi"]} | {
        r["kode_wilayah"] for r in rows if r["jenis_wilayah"] == "provinsi"
    }
    provinces = tuple(
        {"kode_provinsi": p.code, "kode_bps": bps.get(p.code), "nama_provinsi": p.name}
        for p in views.list_regions(uow, "provinsi", None, None)
        if p.code in named
    )
    return Publication(
        year=year,
        quota_provinsi=cohort.quota_provinsi,
        quota_kabkota=cohort.quota_kabkota,
        opens_at=local(cohort.applications_open_at),
        closes_at=local(cohort.applications_close_at),
        assessment_due_at=local(cohort.assessment_due_at),
        finalized_at=local(cohort.finalized_at) if cohort.finalized_at else None,
        rubric=rubric,
        rows=tuple(rows),
        provinces=provinces,
    )
