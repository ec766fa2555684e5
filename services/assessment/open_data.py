"""A finalised cohort's results as Satu Data Indonesia open data: Kemendagri reference codes and metadata."""

from __future__ import annotations

import csv
import io
from typing import Any

from services.assessment import domain
from services.assessment.repository import get_cohort, list_applications, rubric_of, score_sheets
from shared.clock import utc
from shared.errors import Conflict
from shared.uow import UnitOfWork

PRODUCER = "Direktorat Jenderal Aplikasi Informatika, Kementerian Komunikasi dan Informatika"
LICENCE = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
OUTCOMES = {"selected": "terpilih", "not_selected": "tidak terpilih", "withdrawn": "mengundurkan diri"}

BASE_COLUMNS: tuple[tuple[str, str, str, str | None], ...] = (
    ("tahun", "integer", "Tahun kohort (tahun pendampingan)", None),
    ("kode_wilayah", "string", "Kode wilayah administrasi pemerintahan Kemendagri", None),
    ("nama_wilayah", "string", "Nama wilayah", None),
    ("jenis_wilayah", "string", "provinsi, kabupaten atau kota", None),
    ("kode_provinsi", "string", "Kode Kemendagri provinsi induk (kosong untuk provinsi)", None),
    ("kelompok_kuota", "string", "Kelompok kuota seleksi: provinsi atau kabkota", None),
    ("nilai_total", "number", "Nilai total tertimbang dari semua kriteria", "poin (0-100)"),
    ("peringkat", "integer", "Peringkat dalam kelompok kuota (kosong bila tidak dinilai)", None),
    ("status_seleksi", "string", "terpilih, tidak terpilih, atau mengundurkan diri", None),
)


def _columns(rubric: domain.Rubric) -> list[dict[str, Any]]:
    columns = [{"name": n, "type": t, "description": d, "unit": u} for n, t, d, u in BASE_COLUMNS]
    for criterion in rubric.criteria:
        columns.append(
            {
                "name": f"nilai_{criterion.key}",
                "type": "number",
                "description": f"{criterion.label} ({criterion.group}, bobot {criterion.weight:g}); "
                "rata-rata nilai para asesor",
                "unit": f"poin ({criterion.scale_min:g}-{criterion.scale_max:g})",
            }
        )
    return columns


def cohort_results(uow: UnitOfWork, year: int) -> dict[str, Any]:
    """Refused until the cohort is finalised: open data publishes outcomes, never a ranking in progress."""
    cohort = get_cohort(uow, year)
    if cohort.status != "finalized":
        raise Conflict(
            f"cohort {year} is {cohort.status}; results are published once selection has finalised it "
            f"(see /cohorts/{year}/ranking meanwhile)",
            rule="cohort_finalized",
        )
    rubric = rubric_of(cohort)
    rows = []
    for application, region in list_applications(uow, year):
        combined = domain.combine_assessors(s["scores"] for s in score_sheets(uow, application.id).values())
        row: dict[str, Any] = {
            "tahun": year,
            "kode_wilayah": region.code,
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
    finalized = utc(cohort.finalized_at).isoformat() if cohort.finalized_at else None
    metadata = {
        "title": f"Hasil Seleksi Gerakan Menuju Smart City Tahun {year}",
        "description": (
            "Hasil penilaian kesiapan (struktur, infrastruktur, suprastruktur) dan dimensi smart city "
            f"provinsi dan kabupaten/kota yang mendaftar Gerakan Menuju Smart City {year}, beserta "
            f"hasil seleksi dengan kuota {cohort.quota_provinsi} provinsi dan {cohort.quota_kabkota} "
            f"kabupaten/kota. Urutan nilai sama: {domain.TIE_BREAK_RULE}."
        ),
        "producer": PRODUCER,
        "period": {
            "year": year,
            "start": utc(cohort.applications_open_at).isoformat(),
            "end": utc(cohort.assessment_due_at).isoformat(),
        },
        "update_frequency": "tahunan",
        "licence": LICENCE,
        "reference_codes": "Kode wilayah Kemendagri (kode_wilayah, kode_provinsi)",
        "language": "id",
        "last_updated": finalized,
        "columns": _columns(rubric),
    }
    return {"metadata": metadata, "data": rows}


def results_csv(results: dict[str, Any]) -> str:
    """The data as CSV with the column names of the metadata; the metadata itself travels as results.json."""
    names = [column["name"] for column in results["metadata"]["columns"]]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\r\n")
    writer.writeheader()
    for row in results["data"]:
        writer.writerow({key: "" if value is None else value for key, value in row.items()})
    return buffer.getvalue()
