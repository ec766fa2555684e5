"""What every request model of the mentoring API shares: text the database can store."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


def _refuse_nul(value: Any) -> Any:
    """PostgreSQL cannot store a NUL character in text or JSONB; refuse it here rather than fail there."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key)
            _refuse_nul(item)
    if isinstance(value, list):
        for item in value:
            _refuse_nul(item)
    return value


class Clean(BaseModel):
    """Every request model: text that the database can store."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return _refuse_nul(value)


class Strict(Clean):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
