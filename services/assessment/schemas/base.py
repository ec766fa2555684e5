"""What every request model of the assessment API shares: no NUL characters, no unknown fields."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class Clean(BaseModel):
    """Refuses NUL characters anywhere in the input: PostgreSQL cannot store them in text or JSONB,
    so they must be a 422 here rather than a database error later."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _has_nul(value):
            raise ValueError("text may not contain NUL characters")
        return value


class Strict(Clean):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
