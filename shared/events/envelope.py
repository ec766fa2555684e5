"""The envelope every Cerdas event travels in, and the base of every event's data."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.registry import SERVICE_NAMES

REGION_CODE_PATTERN = r"^\d{2}(\.\d{2})?$"
# Which event families each service may publish (its own, and generic deadlines) is in the registry.
ServiceName = Literal[SERVICE_NAMES]  # type: ignore[valid-type]


class EventError(ValueError):
    """An envelope or its data does not match the catalogue."""


class Envelope(BaseModel):
    """What travels on the wire; ``data`` is checked against the catalogue entry for (type, version)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: uuid.UUID
    type: str = Field(pattern=r"^[a-z]+\.[a-z_]+$")
    version: int = Field(ge=1)
    occurred_at: AwareDatetime
    source: ServiceName
    subject: str = Field(min_length=1, max_length=64)
    correlation_id: str = Field(min_length=1, max_length=64)
    data: dict[str, Any]

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class EventData(BaseModel):
    # Consumers ignore fields they do not know, so producers may add optional fields
    # without a new version; removing or retyping a field needs a new version.
    model_config = ConfigDict(extra="ignore", frozen=True)
