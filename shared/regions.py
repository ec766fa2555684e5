"""How a region is named in the programme's letters and plans, from its Kemendagri code alone.

A province's code has two digits (``12``), a kabupaten's ``PP.RR`` with RR from 01 to 69, a kota's RR
from 71: so every service can tell a province from a kabupaten or a kota without asking assessment.
"""

from __future__ import annotations

import re

PROVINCE = "provinsi"
KABUPATEN = "kabupaten"
KOTA = "kota"
# What enacts the Masterplan: the head of region's regulation (peraturan kepala daerah).
REGULATIONS = {
    PROVINCE: ("Pergub", "Peraturan Gubernur"),
    KABUPATEN: ("Perbup", "Peraturan Bupati"),
    KOTA: ("Perwali", "Peraturan Wali Kota"),
}
HEADS = {PROVINCE: "Gubernur", KABUPATEN: "Bupati", KOTA: "Wali Kota"}
_PREFIXES = {PROVINCE: "Provinsi", KABUPATEN: "Kabupaten", KOTA: "Kota"}


def kind_of(code: str) -> str:
    """``provinsi``, ``kabupaten`` or ``kota`` for a Kemendagri code."""
    match = re.fullmatch(r"(\d{2})(?:\.(\d{2}))?", code)
    if match is None:
        raise ValueError(f"{code!r} is not a Kemendagri region code such as 12 or 12.01")
    if match.group(2) is None:
        return PROVINCE
    return KOTA if int(match.group(2)) >= 71 else KABUPATEN


def display_name(name: str, code: str) -> str:
    """The region as letters write it: 'Provinsi Sumatera Utara', 'Kabupaten Tapanuli Tengah', 'Kota Medan'.
    The register names kabupaten and kota with their kind already; a province's name stands alone there."""
    prefix = _PREFIXES[kind_of(code)]
    if name.lower().startswith(prefix.lower() + " ") or (prefix == "Provinsi" and name.startswith("Daerah ")):
        return name
    return f"{prefix} {name}"


def government_of(name: str, code: str) -> str:
    """'Pemerintah Provinsi Sumatera Utara', 'Pemerintah Kabupaten Tapanuli Tengah'."""
    return f"Pemerintah {display_name(name, code)}"


def regulation_of(code: str) -> tuple[str, str]:
    """The short and long name of the regulation that enacts a region's Masterplan, e.g. ('Perbup',
    'Peraturan Bupati')."""
    return REGULATIONS[kind_of(code)]


def head_of(code: str) -> str:
    """'Gubernur', 'Bupati' or 'Wali Kota'."""
    return HEADS[kind_of(code)]
