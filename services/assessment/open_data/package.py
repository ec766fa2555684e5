"""The Frictionless Data Package descriptor (datapackage.json) of a finalised cohort's results."""

from __future__ import annotations

from typing import Any

from services.assessment.open_data.publication import (
    KEYWORDS,
    LICENCE_ID,
    LICENCE_TITLE,
    LICENCE_URL,
    MINISTRY,
    PUBLISHER,
    ZONE,
    Publication,
)
from services.assessment.open_data.schema import provinces_schema, results_schema

# The CSV's name beside the descriptor: the same as on the web (/cohorts/<year>/results.csv next to
# /cohorts/<year>/datapackage.json), so one relative path serves the API and an exported folder alike.
CSV_NAME = "results.csv"


def licence() -> dict[str, str]:
    return {"name": LICENCE_ID, "path": LICENCE_URL, "title": LICENCE_TITLE}


def data_package(publication: Publication, csv_path: str = CSV_NAME) -> dict[str, Any]:
    """The descriptor, built as plain JSON so the service needs no Frictionless library to publish it."""
    descriptor: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": publication.name,
        "title": publication.title,
        "description": publication.description,
        "keywords": list(KEYWORDS),
        "language": "id",
        "licenses": [licence()],
        "contributors": [{"title": PUBLISHER, "role": "publisher", "organization": MINISTRY}],
        # Not a core Data Package property: the dates the results cover, as WIB dates rather than instants.
        "temporal": {"start": publication.start.isoformat(), "end": publication.end.isoformat(), "timezone": ZONE},
    }
    if publication.finalized_at:
        descriptor["created"] = publication.finalized_at.isoformat()
    descriptor["resources"] = [
        {
            "profile": "tabular-data-resource",
            "name": "hasil-seleksi",
            "path": csv_path,
            "title": f"Hasil seleksi tahun {publication.year}",
            "description": (
                "Satu baris per wilayah yang mendaftar: nilai total, peringkat dalam kelompok kuota, status "
                "seleksi dan rata-rata nilai para asesor per kriteria"
            ),
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "header": True},
            "licenses": [licence()],
            "schema": results_schema(publication),
        },
        {
            "profile": "tabular-data-resource",
            "name": "provinsi",
            "title": "Provinsi yang dirujuk",
            "description": (
                "Provinsi yang muncul dalam hasil seleksi, sebagai wilayah yang mendaftar atau sebagai "
                "provinsi induk kabupaten/kota; rujukan kolom kode_provinsi"
            ),
            # Inline, so the foreign key of kode_provinsi resolves inside the package with no second file.
            "data": [dict(province) for province in publication.provinces],
            "schema": provinces_schema(publication),
        },
    ]
    return descriptor
