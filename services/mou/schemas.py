"""Request and response models of the MoU API; the OpenAPI document is generated from them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from flask_openapi3 import FileStorage
from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.events import AudienceRole
from shared.validation import ProgrammeInstant, ProgrammeTime


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold NUL; refuse it here rather than fail on write.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value


class AgreementQuery(BaseModel):
    cohort: int | None = Field(default=None, ge=2017, le=2100)
    status: Literal["draft", "scheduled", "signed", "expired", "terminated"] | None = None
    region: str | None = Field(default=None, pattern=r"^\d{2}(\.\d{2})?$")


# Agreement ids are UUIDs; the pattern keeps control characters (which PostgreSQL refuses) out of queries.
AgreementId = Annotated[str, Field(min_length=1, max_length=36, pattern=r"^[\w-]+$")]


class AgreementPath(BaseModel):
    agreement_id: AgreementId


class SignatoryIn(Strict):
    party: Literal["region", "ministry"]
    name: str = Field(min_length=2, max_length=160)
    position: str = Field(min_length=2, max_length=200, examples=["Plh Sekretaris Daerah"])
    acting: Literal["Pj", "Plh", "Plt"] | None = None
    on_behalf_of: str | None = Field(
        default=None, max_length=200, description="whom a representative signs for, e.g. 'Pj Bupati Tapanuli Tengah'"
    )
    title: str | None = Field(default=None, max_length=80, description="academic titles, e.g. 'S.H., M.Si.'")


class SignatoryOut(SignatoryIn):
    pass


SCHEDULED_AT = Field(
    description="when the signing starts: an instant with an offset, or a wall-clock time (no offset) read in "
    "the ministry's zone, WIB; one ceremony is one instant for every region",
    examples=["2023-02-28T10:00:00", "2023-02-28T10:00:00+07:00"],
)
VENUE = Field(default=None, max_length=300, description="a place (offline), or the meeting link (online)")


Invited = Field(
    default_factory=list,
    max_length=10,
    description="official roles invited besides the signatories, e.g. bappeda_head, bpkpad_head, kominfo_head",
)
NUMBER = Field(default=None, max_length=120, examples=["180/12/NK/2023"])
Attendees = Field(
    default_factory=list, max_length=30, description="who attended besides the signatories, e.g. 'Kepala Bappeda'"
)


class ScheduleIn(Strict):
    scheduled_at: ProgrammeTime = SCHEDULED_AT
    mode: Literal["online", "offline"]
    venue: str | None = VENUE
    attendees: list[AudienceRole] = Invited


class SignIn(Strict):
    signed_at: ProgrammeInstant
    signatories: list[SignatoryIn] = Field(min_length=2, max_length=20)
    region_number: str | None = Field(default=None, max_length=120, description="the region's number of the agreement")
    ministry_number: str | None = Field(
        default=None, max_length=120, description="the ministry's number of the agreement"
    )
    attendees: list[Annotated[str, Field(min_length=2, max_length=160)]] = Attendees


class TerminateIn(Strict):
    reason: str = Field(min_length=5, max_length=2000)


class CeremonyScheduleIn(Strict):
    """One session for many agreements at one instant; a time without an offset is WIB."""

    agreement_ids: list[AgreementId] = Field(min_length=1, max_length=200)
    scheduled_at: ProgrammeTime = SCHEDULED_AT
    mode: Literal["online", "offline"]
    venue: str | None = VENUE
    attendees: list[AudienceRole] = Invited


class CeremonyAgreementIn(Strict):
    agreement_id: AgreementId
    region_number: str | None = Field(default=None, max_length=120, description="the region's number of the agreement")
    ministry_number: str | None = Field(
        default=None, max_length=120, description="the ministry's number of the agreement"
    )
    attendees: list[Annotated[str, Field(min_length=2, max_length=160)]] = Attendees
    signatories: list[SignatoryIn] = Field(
        min_length=1, max_length=20, description="this region's signatories (its head, or a representative)"
    )


class CeremonySignIn(Strict):
    """Every agreement signed in one session: the shared signatories (the ministry's) sign each of them."""

    signed_at: ProgrammeInstant
    signatories: list[SignatoryIn] = Field(
        min_length=1, max_length=20, description="who signs every agreement, e.g. the Director General"
    )
    agreements: list[CeremonyAgreementIn] = Field(min_length=1, max_length=200)


class DocumentForm(BaseModel):
    file: FileStorage = Field(description="the signed agreement as a PDF")


class DocumentPath(AgreementPath):
    version: int = Field(ge=1)


class DocumentOut(BaseModel):
    id: str
    agreement_id: str
    version: int
    filename: str
    sha256: str
    size: int
    uploaded_at: datetime
    uploaded_by: str
    download: str


class DocumentList(BaseModel):
    items: list[DocumentOut]


class AuditEntryOut(BaseModel):
    at: datetime
    actor: str
    action: str
    details: dict[str, Any]
    correlation_id: str | None


class AuditTrail(BaseModel):
    agreement_id: str
    items: list[AuditEntryOut]


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
    terminated_reason: str | None = None
    signatories: list[SignatoryOut]
    attendees_invited: list[str] = []
    region_number: str | None = None
    ministry_number: str | None = None
    attendees: list[str] = []


class AgreementList(BaseModel):
    items: list[AgreementOut]
    total: int


class CeremonyOut(BaseModel):
    items: list[AgreementOut]
    total: int
