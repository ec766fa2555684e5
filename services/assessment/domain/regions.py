"""Region register rules: Kemendagri codes, kinds and quota groups, and the officials a region records."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from shared.errors import Invalid

PROVINCE_CODE = re.compile(r"^\d{2}$")
KABKOTA_CODE = re.compile(r"^(\d{2})\.(\d{2})$")
KINDS = ("provinsi", "kabupaten", "kota")
QUOTA_GROUPS = ("provinsi", "kabkota")
ACTING = ("Pj", "Plh", "Plt")
OFFICIAL_ROLES = ("head_of_region", "regional_secretary", "kominfo_head", "bappeda_head", "bpkpad_head")


def check_region_code(code: str, kind: str, province_code: str | None) -> None:
    """Kemendagri codes: 'PP' for a province, 'PP.RR' for a kabupaten (RR 01-69) or kota (RR >= 71)."""
    if kind not in KINDS:
        raise Invalid(f"kind must be one of {', '.join(KINDS)}", field="kind")
    if kind == "provinsi":
        if not PROVINCE_CODE.match(code):
            raise Invalid(f"province code {code!r} must be two digits, e.g. '12'", field="code")
        if province_code:
            raise Invalid("a province has no parent province_code", field="province_code")
        return
    match = KABKOTA_CODE.match(code)
    if not match:
        raise Invalid(f"kabupaten/kota code {code!r} must look like 'PP.RR', e.g. '12.01'", field="code")
    if province_code != match.group(1):
        raise Invalid(
            f"province_code must be {match.group(1)!r}, the first two digits of {code!r}", field="province_code"
        )
    regency = int(match.group(2))
    if kind == "kota" and regency < 71:
        raise Invalid(f"a kota code has RR of 71 or more; {code!r} is a kabupaten code", field="code")
    if kind == "kabupaten" and not 1 <= regency <= 69:
        raise Invalid(f"a kabupaten code has RR from 01 to 69; {code!r} is not", field="code")


def quota_group(kind: str) -> str:
    return "provinsi" if kind == "provinsi" else "kabkota"


@dataclass(frozen=True)
class RegionRecord:
    """One row of the register as it is given (a CSV line or an API body), before it is checked."""

    code: str
    name: str
    kind: str
    province_code: str | None
    timezone: str


@dataclass(frozen=True)
class OfficialRecord:
    """One official of a region's line-up as it is given."""

    role: str
    name: str
    email: str
    title: str | None = None
    position: str | None = None
    acting: str | None = None
    valid_from: date | None = None


def check_official_roles(roles: Sequence[str], allowed: Sequence[str]) -> None:
    """Roles come from a known list (the standard five plus any configured ones), so a typo never
    silently creates a role that reminders will not reach."""
    for index, role in enumerate(roles):
        if role not in allowed:
            raise Invalid(
                f"unknown official role {role!r}; known roles: {', '.join(allowed)} "
                "(more can be configured with CERDAS_EXTRA_OFFICIAL_ROLES)",
                field=f"officials.{index}.role",
            )
