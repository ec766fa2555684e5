"""The bundled Kemendagri-to-BPS crosswalk: the only source of the export's kode_bps column."""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

CROSSWALK = Path(__file__).resolve().parents[1] / "data" / "kemendagri_bps.csv"
HEADER = ["kode_kemendagri", "kode_bps"]
KEMENDAGRI_PATTERN = r"\d{2}(\.\d{2})?"
BPS_PATTERN = r"\d{2}(\d{2})?"


@cache
def bps_codes(path: Path = CROSSWALK) -> Mapping[str, str]:
    """Kemendagri code -> BPS code, from the file if it is there; empty otherwise.

    The two systems number regions differently (Kemendagri 12.01 is BPS 1204), so a BPS code is never
    derived from a Kemendagri code: a row the file does not cover is published without one."""
    if not path.is_file():
        return MappingProxyType({})
    codes: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header != HEADER:
            raise ValueError(f"{path}: the header must be {','.join(HEADER)}, not {header}")
        for line, row in enumerate(reader, start=2):
            if len(row) != 2:
                raise ValueError(f"{path}, line {line}: expected 2 columns, found {len(row)}")
            kemendagri, bps = (value.strip() for value in row)
            if not re.fullmatch(KEMENDAGRI_PATTERN, kemendagri):
                raise ValueError(f"{path}, line {line}: {kemendagri!r} is not a Kemendagri code such as 12 or 12.01")
            if not re.fullmatch(BPS_PATTERN, bps):
                raise ValueError(f"{path}, line {line}: {bps!r} is not a BPS code such as 12 or 1204")
            # A province has a 2-digit code in both systems and a kabupaten/kota a 4-digit one.
            if ("." in kemendagri) != (len(bps) == 4):
                raise ValueError(f"{path}, line {line}: {kemendagri} and {bps} are not the same kind of region")
            if kemendagri in codes:
                raise ValueError(f"{path}, line {line}: {kemendagri} appears twice")
            codes[kemendagri] = bps
    return MappingProxyType(codes)
