"""Fictitious officials for every applicant, with addresses under example.go.id that reach nobody."""

from __future__ import annotations

import re
import zlib
from typing import Any

from services.demo.cast import TAPANULI_TENGAH, Region

DOMAIN = "example.go.id"
GIVEN = (
    "Andi", "Bambang", "Citra", "Dedi", "Dewi", "Eko", "Fitriani", "Gilang", "Hendra", "Indah", "Joko",
    "Kartika", "Lukman", "Maya", "Nurul", "Oktavia", "Putri", "Rahmat", "Sari", "Taufik", "Umar", "Vina",
    "Wahyu", "Yusuf", "Zainal", "Agus", "Bayu", "Dian", "Fajar", "Hadi", "Ikhsan", "Lestari", "Rudi", "Siti",
)  # fmt: skip
FAMILY = (
    "Siregar", "Harahap", "Nasution", "Lubis", "Pratama", "Wijaya", "Saputra", "Hidayat", "Rahman",
    "Kurniawan", "Setiawan", "Sembiring", "Tarigan", "Manurung", "Wibowo", "Santoso", "Gunawan", "Putra",
    "Pangaribuan", "Simanjuntak", "Halim", "Marpaung", "Rumbiak", "Lawalata", "Mandagi", "Pattiasina",
)  # fmt: skip
TITLES = {
    "head_of_region": ("S.H., M.H.", "S.Sos., M.Si.", "S.E., M.M.", "S.STP., M.Si."),
    "regional_secretary": ("S.STP., M.Si.", "S.H.", "S.Sos., M.AP."),
    "kominfo_head": ("S.Kom., M.T.", "S.T., M.Kom.", "S.Kom."),
    "bappeda_head": ("S.T., M.Eng.", "S.E., M.Si.", "Ir., M.T."),
    "bpkpad_head": ("S.E., M.Ak.", "S.E., Ak."),
}
MAILBOX = {
    "regional_secretary": "sekda",
    "kominfo_head": "kominfo",
    "bappeda_head": "bappeda",
    "bpkpad_head": "bpkpad",
}
ROLES = ("head_of_region", "regional_secretary", "kominfo_head", "bappeda_head", "bpkpad_head")


def slug(region: Region) -> str:
    """'kab-tapanuli-tengah', 'kota-jayapura', 'prov-jawa-barat': the region's part of every address."""
    prefix = {"provinsi": "prov", "kabupaten": "kab", "kota": "kota"}[region.kind]
    words = re.sub(r"[^a-z0-9]+", "-", region.short_name.lower()).strip("-")
    return f"{prefix}-{words}"


def head_title(region: Region) -> str:
    return {"provinsi": "Gubernur", "kabupaten": "Bupati", "kota": "Wali Kota"}[region.kind]


def head_mailbox(region: Region) -> str:
    return {"provinsi": "gubernur", "kabupaten": "bupati", "kota": "walikota"}[region.kind]


def address(region: Region, role: str) -> str:
    mailbox = head_mailbox(region) if role == "head_of_region" else MAILBOX[role]
    return f"{mailbox}@{slug(region)}.{DOMAIN}"


def _name(region: Region, role: str) -> str:
    seed = zlib.crc32(f"{region.code}|{role}".encode())
    return f"{GIVEN[seed % len(GIVEN)]} {FAMILY[(seed // len(GIVEN)) % len(FAMILY)]}"


def _pick(options: tuple[str, ...], region: Region, role: str) -> str:
    return options[zlib.crc32(f"{role}|{region.code}".encode()) % len(options)]


def position(region: Region, role: str) -> str:
    return {
        "head_of_region": f"{head_title(region)} {region.short_name}",
        "regional_secretary": "Sekretaris Daerah",
        "kominfo_head": "Kepala Dinas Komunikasi dan Informatika",
        "bappeda_head": "Kepala Bappeda",
        "bpkpad_head": "Kepala BPKPAD",
    }[role]


def acting(region: Region, role: str) -> str | None:
    """Many heads of region were acting (Pj) in 2022-2023, their terms having ended before the 2024
    elections; Tapanuli Tengah's day-to-day regional secretary was a Plh."""
    if region.code == TAPANULI_TENGAH:
        return {"head_of_region": "Pj", "regional_secretary": "Plh"}.get(role)
    if role == "head_of_region" and zlib.crc32(region.code.encode()) % 3 == 0:
        return "Pj"
    return None


def officials(region: Region) -> list[dict[str, Any]]:
    """The region's line-up as PUT /regions/<code>/officials takes it."""
    return [
        {
            "role": role,
            "name": _name(region, role),
            "title": _pick(TITLES[role], region, role),
            "position": position(region, role),
            "acting": acting(region, role),
            "email": address(region, role),
        }
        for role in ROLES
    ]


def official(region: Region, role: str) -> dict[str, Any]:
    return next(o for o in officials(region) if o["role"] == role)


def signatory(region: Region) -> dict[str, Any]:
    """Who signs for the region: its head, or for Tapanuli Tengah the Plh Sekda on behalf of the Pj Bupati."""
    if region.code == TAPANULI_TENGAH:
        sekda = official(region, "regional_secretary")
        return {
            "party": "region",
            "name": sekda["name"],
            "title": sekda["title"],
            "position": "Plh Sekretaris Daerah",
            "acting": "Plh",
            "on_behalf_of": f"Pj {head_title(region)} {region.short_name}",
        }
    head = official(region, "head_of_region")
    return {
        "party": "region",
        "name": head["name"],
        "title": head["title"],
        "position": head["position"],
        "acting": head["acting"],
    }


MINISTRY_SIGNATORY = {
    "party": "ministry",
    "name": "Rahmat Hidayatullah",
    "title": "S.T., M.Sc.",
    "position": "Direktur Jenderal Aplikasi Informatika",
}
MENTOR_NAMES = (
    "Rina Kusumawati", "Arif Nugroho", "Melati Sukmawati", "Galih Prasetyo", "Nadia Rahmawati",
    "Teguh Firmansyah", "Laras Anggraini", "Yoga Permana", "Sekar Ayuningtyas", "Bima Aditya",
)  # fmt: skip


def mentor(number: int) -> tuple[str, str]:
    """The mentor's identity (the `sub` of their token) and name."""
    return f"mentor-aptika-{number + 1:02d}", MENTOR_NAMES[number % len(MENTOR_NAMES)]
