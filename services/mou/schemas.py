"""Request and response models of the MoU API; the OpenAPI document is generated from them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AgreementQuery(BaseModel):
    cohort: int | None = Field(default=None, ge=2017, le=2100)
    status: Literal["draft", "scheduled", "signed", "expired", "terminated"] | None = None
    region: str | None = Field(default=None, pattern=r"^\d{2}(\.\d{2})?$")


class AgreementPath(BaseModel):
    agreement_id: str = Field(min_length=1, max_length=36)


class SignatoryIn(Strict):
    party: Literal["region", "ministry"]
    name: str = Field(min_length=2, max_length=160)
    position: str = Field(min_length=2, max_length=200, examples=["Plh Sekretaris Daerah"])
    acting: Literal["Pj", "Plh", "Plt"] | None = None
    on_behalf_of: str | None = Field(
        default=None, max_length=200, description="whom a representative signs for, e.g. 'Pj Bupati Tapanuli Tengah'"
    )


class SignatoryOut(SignatoryIn):
    pass


class ScheduleIn(Strict):
    scheduled_at: AwareDatetime
    mode: Literal["online", "offline"]
    venue: str | None = Field(default=None, max_length=300, description="a place, or the meeting link when online")


class SignIn(Strict):
    signed_at: AwareDatetime
    signatories: list[SignatoryIn] = Field(min_length=2, max_length=20)


class AgreementOut(BaseModel):
    id: str
    number: str
    cohort_year: int
    region_code: str
    region_name: str
    timezone: str
    status: str
    sign_by: date
    scheduled_at: datetime | None
    mode: str | None
    venue: str | None
    signed_at: datetime | None
    valid_until: date | None
    signatories: list[SignatoryOut]


class AgreementList(BaseModel):
    items: list[AgreementOut]
    total: int
