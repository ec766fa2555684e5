"""DCAT-AP style dataset metadata (JSON-LD) of a finalised cohort's results, for a CKAN portal to harvest."""

from __future__ import annotations

from typing import Any

from services.assessment.open_data.publication import (
    KEYWORDS,
    LICENCE_ID,
    LICENCE_TITLE,
    LICENCE_URL,
    PUBLISHER,
    Publication,
)

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
FILE_TYPES = "http://publications.europa.eu/resource/authority/file-type/"
DATA_PACKAGE_SPEC = "https://specs.frictionlessdata.io/data-package/"


def _id(text: str) -> dict[str, str]:
    """A literal tagged as Indonesian, so a portal that shows several languages labels it right."""
    return {"@value": text, "@language": "id"}


def _licence() -> dict[str, Any]:
    # The URI is what CKAN's DCAT harvester matches against its licence register; the id and title help
    # a reader and a portal whose register is keyed by the SPDX id.
    return {
        "@id": LICENCE_URL,
        "@type": "dct:LicenseDocument",
        "dct:identifier": LICENCE_ID,
        "dct:title": _id(LICENCE_TITLE),
    }


def _distribution(title: str, description: str, url: str, media_type: str, file_type: str, conforms_to: str) -> dict:
    return {
        "@type": "dcat:Distribution",
        "dct:title": _id(title),
        "dct:description": _id(description),
        "dcat:accessURL": {"@id": url},
        "dcat:downloadURL": {"@id": url},
        "dcat:mediaType": {"@id": MEDIA_TYPES + media_type},
        "dct:format": {"@id": FILE_TYPES + file_type},
        "dct:license": _licence(),
        "dct:conformsTo": {"@id": conforms_to},
    }


def dcat_dataset(publication: Publication, *, dataset_url: str, csv_url: str, package_url: str) -> dict[str, Any]:
    """The dataset with its two distributions: the CSV (which conforms to the package's Table Schema) and
    the package descriptor itself. URLs are absolute because a harvester resolves them from elsewhere."""
    dataset: dict[str, Any] = {
        "@context": CONTEXT,
        "@id": dataset_url,
        "@type": "dcat:Dataset",
        "dct:identifier": publication.name,
        "dct:title": _id(publication.title),
        "dct:description": _id(publication.description),
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": _id(PUBLISHER)},
        "dct:license": _licence(),
        "dct:language": "id",
        "dcat:keyword": [_id(keyword) for keyword in KEYWORDS],
        "dct:temporal": {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": {"@value": publication.start.isoformat(), "@type": "xsd:date"},
            "dcat:endDate": {"@value": publication.end.isoformat(), "@type": "xsd:date"},
        },
        "dct:spatial": {"@id": "http://publications.europa.eu/resource/authority/country/IDN"},
        "dct:accrualPeriodicity": {"@id": "http://purl.org/cld/freq/annual"},
        "dcat:distribution": [
            _distribution(
                f"Hasil seleksi tahun {publication.year} (CSV)",
                "Satu baris per wilayah yang mendaftar, dengan kode wilayah Kemendagri; kolomnya dijelaskan "
                "oleh skema tabel dalam paket data",
                csv_url,
                "text/csv",
                "CSV",
                package_url,
            ),
            _distribution(
                "Paket data (datapackage.json)",
                "Deskriptor paket data (standar Frictionless): lisensi, penerbit, periode dan skema tabel setiap kolom",
                package_url,
                "application/json",
                "JSON",
                DATA_PACKAGE_SPEC,
            ),
        ],
    }
    if publication.finalized_at:
        dataset["dct:issued"] = {"@value": publication.finalized_at.isoformat(), "@type": "xsd:dateTime"}
    return dataset
