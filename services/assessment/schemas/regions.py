"""Request and response models for the region register and each region's officials."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, EmailStr, Field

from services.assessment.schemas.base import Clean, Strict
from shared.clock import INDONESIAN_ZONES
from shared.validation import ProgrammeDate


class RegionIn(Strict):
    code: str = Field(min_length=2, max_length=5)
    name: str = Field(min_length=2, max_length=120)
    kind: Literal["provinsi", "kabupaten", "kota"]
    province_code: str | None = Field(default=None, max_length=2)
    timezone: Literal[INDONESIAN_ZONES]  # type: ignore[valid-type]


class RegionBulkIn(Strict):
    regions: list[RegionIn] = Field(min_length=1, max_length=1000)


class RegionOut(BaseModel):
    code: str
    name: str
    kind: str
    province_code: str | None
    timezone: str


class RegionList(BaseModel):
    items: list[RegionOut]
    total: int


class ImportResult(BaseModel):
    created: int
    updated: int
    unchanged: int


class RegionPath(BaseModel):
    code: str = Field(pattern=r"^\d{2}(\.\d{2})?$", description="Kemendagri region code, e.g. 12.01")


class RegionQuery(Clean):
    kind: Literal["provinsi", "kabupaten", "kota", "kabkota"] | None = None
    province: str | None = Field(default=None, pattern=r"^\d{2}$")
    q: str | None = Field(default=None, max_length=80, description="part of the name, any case")


class OfficialIn(Strict):
    role: str = Field(pattern=r"^[a-z][a-z_]{1,39}$", examples=["kominfo_head"])
    name: str = Field(min_length=2, max_length=160)
    title: str | None = Field(default=None, max_length=80, description="academic titles, e.g. 'S.T., M.Si.'")
    position: str | None = Field(default=None, max_length=160, examples=["Bupati Tapanuli Tengah"])
    email: EmailStr
    acting: Literal["Pj", "Plh", "Plt"] | None = None
    valid_from: ProgrammeDate | None = None


class OfficialsIn(Strict):
    officials: list[OfficialIn] = Field(max_length=50)


class OfficialOut(BaseModel):
    role: str
    name: str
    title: str | None
    position: str | None
    email: str
    acting: str | None
    valid_from: date
    valid_until: date | None


class OfficialsOut(BaseModel):
    region_code: str
    officials: list[OfficialOut]


class OfficialsQuery(Clean):
    role: str | None = None
    history: bool = Field(default=False, description="include officials who no longer hold the role")
