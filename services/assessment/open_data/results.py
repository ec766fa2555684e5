"""The results as CSV, and results.json: the original metadata block, kept for the consumers that read it."""

from __future__ import annotations

import csv
import io
from typing import Any

from services.assessment.open_data.publication import LICENCE_ID, PUBLISHER, Publication, publication
from services.assessment.open_data.schema import TOTAL_UNIT, result_fields, unit_of
from shared.uow import UnitOfWork


def results_document(published: Publication) -> dict[str, Any]:
    """results.json in its original shape; its texts now match datapackage.json, which supersedes it."""
    units: dict[str, str | None] = {"nilai_total": TOTAL_UNIT}
    units.update({f"nilai_{c.key}": unit_of(c) for c in published.rubric.criteria})
    columns = [
        {"name": f["name"], "type": f["type"], "description": f["description"], "unit": units.get(f["name"])}
        for f in result_fields(published)
    ]
    metadata = {
        "title": published.title,
        "description": published.description,
        "producer": PUBLISHER,
        # Instants by the shape of this document, but given in WIB so that their dates are the local ones.
        "period": {
            "year": published.year,
            "start": published.opens_at.isoformat(),
            "end": published.assessment_due_at.isoformat(),
        },
        "update_frequency": "tahunan",
        "licence": LICENCE_ID,
        "reference_codes": "Kode wilayah Kemendagri (kode_wilayah, kode_provinsi); kode wilayah BPS (kode_bps) "
        "bila padanannya tersedia",
        "language": "id",
        "last_updated": published.finalized_at.isoformat() if published.finalized_at else None,
        "columns": columns,
    }
    return {"metadata": metadata, "data": list(published.rows)}


def cohort_results(uow: UnitOfWork, year: int) -> dict[str, Any]:
    return results_document(publication(uow, year))


def results_csv(published: Publication) -> str:
    """The rows as CSV, in the columns and order of the package's Table Schema; empty cells are missing values."""
    names = [field["name"] for field in result_fields(published)]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\r\n")
    writer.writeheader()
    for row in published.rows:
        writer.writerow({key: "" if value is None else value for key, value in row.items()})
    return buffer.getvalue()
