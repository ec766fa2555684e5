"""The Table Schemas of the published results and of the provinces they refer to, titled in Indonesian."""

from __future__ import annotations

from typing import Any

from services.assessment import domain
from services.assessment.open_data.crosswalk import BPS_PATTERN, KEMENDAGRI_PATTERN
from services.assessment.open_data.publication import OUTCOMES, Publication
from shared.indonesian import PROGRAMME_NAME

# The default rubric labels the six dimensions by their programme names in English; the public metadata
# uses Indonesian titles. A cohort's own criteria keep the label its rubric gives them.
CRITERION_TITLES = {
    "struktur": "Struktur (sumber daya manusia, anggaran, tata kelola)",
    "infrastruktur": "Infrastruktur (fisik, digital, sosial)",
    "suprastruktur": "Suprastruktur (regulasi, kelembagaan, implementasi)",
    "smart_governance": "Tata kelola pemerintahan cerdas",
    "smart_branding": "Pencitraan daerah cerdas",
    "smart_economy": "Ekonomi cerdas",
    "smart_living": "Kualitas hidup cerdas",
    "smart_society": "Masyarakat cerdas",
    "smart_environment": "Lingkungan cerdas",
}
GROUPS = {"readiness": "elemen kesiapan", "dimension": "dimensi kota cerdas"}
TOTAL_UNIT = "poin (0-100)"


def _field(name: str, type_: str, title: str, description: str, **constraints: Any) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "type": type_, "title": title, "description": description}
    if constraints:
        field["constraints"] = constraints
    return field


def criterion_title(criterion: domain.Criterion) -> str:
    return CRITERION_TITLES.get(criterion.key, criterion.label)


def result_fields(publication: Publication) -> list[dict[str, Any]]:
    """One field per CSV column, in the CSV's order."""
    fields = [
        _field(
            "tahun",
            "integer",
            "Tahun kohort",
            f"Tahun kohort {PROGRAMME_NAME}, yaitu tahun pendampingan wilayah yang terpilih",
            required=True,
        ),
        _field(
            "kode_wilayah",
            "string",
            "Kode wilayah Kemendagri",
            "Kode wilayah administrasi pemerintahan menurut Kementerian Dalam Negeri: dua angka untuk "
            "provinsi (12), dua angka, titik dan dua angka untuk kabupaten/kota (12.01)",
            required=True,
            pattern=KEMENDAGRI_PATTERN,
        ),
        _field(
            "kode_bps",
            "string",
            "Kode wilayah BPS",
            "Kode wilayah Badan Pusat Statistik untuk wilayah yang sama: dua angka untuk provinsi, empat "
            "angka untuk kabupaten/kota (Kabupaten Tapanuli Tengah: Kemendagri 12.01, BPS 1204). "
            + publication.crosswalk_note,
            pattern=BPS_PATTERN,
        ),
        _field(
            "nama_wilayah", "string", "Nama wilayah", "Nama wilayah menurut daftar wilayah Kemendagri", required=True
        ),
        _field(
            "jenis_wilayah",
            "string",
            "Jenis wilayah",
            "provinsi, kabupaten atau kota",
            required=True,
            enum=["provinsi", "kabupaten", "kota"],
        ),
        _field(
            "kode_provinsi",
            "string",
            "Kode provinsi induk",
            "Kode wilayah Kemendagri provinsi tempat kabupaten/kota berada, kosong untuk baris provinsi; "
            "merujuk ke kolom kode_provinsi pada sumber data provinsi dalam paket ini",
            pattern=r"\d{2}",
        ),
        _field(
            "kelompok_kuota",
            "string",
            "Kelompok kuota",
            "Kelompok kuota seleksi: provinsi, atau kabkota untuk kabupaten dan kota",
            required=True,
            enum=["provinsi", "kabkota"],
        ),
        _field(
            "nilai_total",
            "number",
            "Nilai total",
            f"Nilai total tertimbang dari semua kriteria, dalam {TOTAL_UNIT}; kosong bila tidak dinilai",
            minimum=0,
            maximum=100,
        ),
        _field(
            "peringkat",
            "integer",
            "Peringkat",
            "Peringkat dalam kelompok kuota; kosong bila tidak dinilai",
            minimum=1,
        ),
        _field(
            "status_seleksi",
            "string",
            "Status seleksi",
            "Hasil seleksi: terpilih, tidak terpilih, atau mengundurkan diri",
            required=True,
            enum=sorted(set(OUTCOMES.values())),
        ),
    ]
    for criterion in publication.rubric.criteria:
        group = GROUPS.get(criterion.group, criterion.group)
        fields.append(
            _field(
                f"nilai_{criterion.key}",
                "number",
                f"Nilai {criterion_title(criterion)}",
                f"Rata-rata nilai para asesor untuk kriteria {criterion_title(criterion)} ({group}, bobot "
                f"{criterion.weight:g}), dalam {unit_of(criterion)}",
                minimum=criterion.scale_min,
                maximum=criterion.scale_max,
            )
        )
    return fields


def unit_of(criterion: domain.Criterion) -> str:
    return f"poin ({criterion.scale_min:g}-{criterion.scale_max:g})"


def results_schema(publication: Publication) -> dict[str, Any]:
    return {
        "fields": result_fields(publication),
        "missingValues": [""],
        # One file may hold several years one day; within a year, a region applies once.
        "primaryKey": ["tahun", "kode_wilayah"],
        "foreignKeys": [
            {"fields": ["kode_provinsi"], "reference": {"resource": "provinsi", "fields": ["kode_provinsi"]}}
        ],
    }


def provinces_schema(publication: Publication) -> dict[str, Any]:
    return {
        "fields": [
            _field(
                "kode_provinsi",
                "string",
                "Kode provinsi Kemendagri",
                "Kode wilayah Kemendagri provinsi",
                required=True,
                unique=True,
                pattern=r"\d{2}",
            ),
            _field(
                "kode_bps",
                "string",
                "Kode provinsi BPS",
                "Kode wilayah Badan Pusat Statistik provinsi yang sama, kosong bila padanannya belum tersedia "
                "(nomor BPS provinsi di Papua berbeda dari nomor Kemendagri)",
                pattern=r"\d{2}",
            ),
            _field("nama_provinsi", "string", "Nama provinsi", "Nama provinsi menurut daftar wilayah Kemendagri"),
        ],
        "missingValues": [""],
        "primaryKey": ["kode_provinsi"],
    }
