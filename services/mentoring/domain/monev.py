"""Monev: when a year's evaluation opens, the cohort's weights per dimension and the achievement index."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from services.mentoring.domain.lifecycles import stage_complete
from shared.errors import Conflict, Invalid

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


# --- which evaluations are open ------------------------------------------------------------------

MASTERPLAN_KIND = "masterplan"
EVALUATION_KIND = "evaluation"


def first_evaluation_year(cohort_year: int) -> int:
    """A programme is evaluated once a year from its cohort's year on; the plan's evaluation milestone is
    that first year's self-assessment, due about a year after signing."""
    return cohort_year


def check_evaluation_year(year: int, cohort_year: int, today: date) -> None:
    first = first_evaluation_year(cohort_year)
    if year < first:
        raise Invalid(f"the programme began in {first}; it has no evaluation for {year}", field="year")
    if year > today.year:
        raise Invalid(f"{year} has not begun; a year is evaluated from within it or after it", field="year")


@dataclass(frozen=True)
class PlannedWork:
    stage_key: str
    kind: str
    status: str


def check_evaluation_open(work: Sequence[PlannedWork]) -> None:
    """Monev measures what the Masterplan set out, so no year is self-assessed before the Masterplan stage
    (every stage holding a masterplan milestone) is complete. A plan without a Masterplan milestone opens
    the evaluation once everything but the evaluation itself is accepted."""
    masterplan_stages = {w.stage_key for w in work if w.kind == MASTERPLAN_KIND}
    gate = [w.status for w in work if w.stage_key in masterplan_stages]
    if not masterplan_stages:
        gate = [w.status for w in work if w.kind != EVALUATION_KIND]
    if gate and not stage_complete(gate):
        raise Conflict(
            "the Masterplan stage is not complete yet: the monev self-assessment opens once the final "
            "Masterplan is accepted",
            current_state="masterplan_incomplete",
        )
