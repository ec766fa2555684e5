"""flask-openapi3 rebuilds a query model's whole JSON schema on every request; keep it once per class.

Its request validation asks ``model_json_schema()`` only to tell list parameters from single ones, and
pydantic builds the schema afresh each time: about 0.8 ms of a 2.5 ms GET /regions. A model class never
changes, so the schema is computed once; everything else still goes to the class itself.
"""

from __future__ import annotations

from typing import Any

import flask_openapi3.request as openapi_request

_SCHEMAS: dict[type, dict[str, Any]] = {}
_WRAPPED = ("_validate_header", "_validate_query", "_validate_form")


class _CachedSchema:
    """Stands in for a request model class inside flask-openapi3's validation."""

    __slots__ = ("_model",)

    def __init__(self, model: type) -> None:
        self._model = model

    def model_json_schema(self) -> dict[str, Any]:
        schema = _SCHEMAS.get(self._model)
        if schema is None:
            schema = _SCHEMAS[self._model] = self._model.model_json_schema()  # type: ignore[attr-defined]
        return schema  # read only by the validation (for its "properties")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


def install() -> None:
    """Route flask-openapi3's header, query and form validation through the cache (once per process)."""
    if getattr(openapi_request, "_cerdas_schema_cache", False):
        return
    for name in _WRAPPED:
        original = getattr(openapi_request, name)

        def validate(model: type, func_kwargs: dict, _original: Any = original) -> Any:
            return _original(_CachedSchema(model), func_kwargs)

        setattr(openapi_request, name, validate)
    openapi_request._cerdas_schema_cache = True  # type: ignore[attr-defined]
