"""The Kemendagri region register as a CSV file: the one bundled with Cerdas, or an operator's own."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from services.assessment.domain import RegionRecord
from services.assessment.schemas import RegionIn
from shared.errors import Invalid

COLUMNS = {"code", "name", "kind", "province_code", "timezone"}


def bundled_regions_csv() -> Path:
    """The Kemendagri register shipped with Cerdas: 38 provinces and 514 kabupaten/kota."""
    return Path(str(resources.files("services.assessment").joinpath("data/regions_id.csv")))


def record(region: RegionIn) -> RegionRecord:
    return RegionRecord(region.code, region.name, region.kind, region.province_code, region.timezone)


def read_regions_csv(path: Path) -> list[RegionRecord]:
    """Every row checked as the API checks a region; the first bad line is named."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not COLUMNS <= set(reader.fieldnames):
            raise Invalid(f"{path}: the header must name the columns {', '.join(sorted(COLUMNS))}", field="csv")
        rows = []
        for line, row in enumerate(reader, start=2):
            try:
                region = RegionIn(
                    code=row["code"],
                    name=row["name"],
                    kind=row["kind"],
                    province_code=row["province_code"] or None,
                    timezone=row["timezone"],
                )
            except (ValueError, ValidationError) as exc:
                raise Invalid(f"{path}, line {line}: {exc}", field=f"line {line}") from None
            rows.append(record(region))
    return rows
