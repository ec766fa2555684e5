"""Domain errors every layer may raise; the web layer maps each to one problem+json status."""

from __future__ import annotations

from typing import Any


class CerdasError(Exception):
    """Base class: ``status`` and ``title`` describe the problem, ``detail`` says what to do."""

    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(CerdasError):
    status, title, slug = 404, "Not found", "not-found"


class Conflict(CerdasError):
    status, title, slug = 409, "Conflict", "conflict"


class Invalid(CerdasError):
    """Well-formed input that breaks a rule; ``errors`` names the offending fields."""

    status, title, slug = 422, "Unprocessable content", "validation"

    def __init__(self, detail: str, *, field: str | None = None, **extra: Any) -> None:
        if field is not None:
            extra.setdefault("errors", [{"field": field, "message": detail}])
        super().__init__(detail, **extra)


class Unauthorized(CerdasError):
    status, title, slug = 401, "Unauthorized", "unauthorized"


class Forbidden(CerdasError):
    status, title, slug = 403, "Forbidden", "forbidden"


class PayloadTooLarge(CerdasError):
    status, title, slug = 413, "Content too large", "too-large"


class UpstreamUnavailable(CerdasError):
    """Another service or the broker did not answer in time."""

    status, title, slug = 503, "Upstream unavailable", "upstream-unavailable"
