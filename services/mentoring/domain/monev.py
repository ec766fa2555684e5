"""Monev: the cohort's weights per dimension and the achievement index of a confirmed evaluation."""

from __future__ import annotations

import math
from collections.abc import Mapping

from shared.errors import Invalid

DEFAULT_WEIGHTS: dict[str, float] = {"baseline": 10, "output": 20, "outcome": 30, "impact": 30, "quick_win": 10}
MAX_SCORE = 100.0
# Weights are relative; a bound keeps their sum finite so the index is a number, not NaN.
MAX_WEIGHT = 1_000_000.0


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    if not weights:
        raise Invalid("at least one weighted dimension is needed", field="weights")
    checked: dict[str, float] = {}
    for dimension, weight in weights.items():
        if not dimension.replace("_", "").isalnum() or dimension != dimension.lower():
            raise Invalid(f"dimension {dimension!r} must be lower case letters, digits and _", field="weights")
        if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
            raise Invalid(f"the weight of {dimension} must be a number above zero", field=f"weights.{dimension}")
        if not math.isfinite(weight) or weight > MAX_WEIGHT:
            raise Invalid(f"the weight of {dimension} may be at most {MAX_WEIGHT:g}", field=f"weights.{dimension}")
        checked[dimension] = float(weight)
    return checked


def check_dimensions(weights: Mapping[str, float], scores: Mapping[str, float], field: str) -> None:
    missing = sorted(set(weights) - set(scores))
    unknown = sorted(set(scores) - set(weights))
    if missing:
        raise Invalid(f"every weighted dimension needs a score; missing: {', '.join(missing)}", field=field)
    if unknown:
        raise Invalid(f"these dimensions are not weighted for this cohort: {', '.join(unknown)}", field=field)
    for dimension, score in scores.items():
        if not 0 <= score <= MAX_SCORE:
            raise Invalid(f"the score of {dimension} must be between 0 and 100", field=f"{field}.{dimension}")


def achievement_index(weights: Mapping[str, float], scores: Mapping[str, float]) -> float:
    """The weighted mean of the confirmed scores, 0-100; weights need not add up to 100."""
    check_dimensions(weights, scores, "scores")
    total = sum(weights.values())
    return round(sum(weights[d] * scores[d] for d in weights) / total, 2)
