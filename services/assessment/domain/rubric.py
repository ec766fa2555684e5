"""The cohort's rubric: criteria and their weights, assessors' scores, and the region's self-assessment."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean
from urllib.parse import urlsplit

from shared.errors import Invalid


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    group: str
    weight: float
    scale_min: float = 0
    scale_max: float = 100


@dataclass(frozen=True)
class Rubric:
    criteria: tuple[Criterion, ...]

    @classmethod
    def from_data(cls, data: Sequence[Mapping]) -> Rubric:
        criteria = tuple(Criterion(**dict(item)) for item in data)
        keys = [c.key for c in criteria]
        if not criteria:
            raise Invalid("a rubric needs at least one criterion", field="rubric")
        if len(set(keys)) != len(keys):
            raise Invalid("rubric criterion keys must be unique", field="rubric")
        for c in criteria:
            if c.weight <= 0:
                raise Invalid(f"criterion {c.key!r} needs a positive weight", field=f"rubric.{c.key}.weight")
            if c.scale_max <= c.scale_min:
                raise Invalid(f"criterion {c.key!r} needs scale_max above scale_min", field=f"rubric.{c.key}")
        return cls(criteria)

    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.criteria)

    def check_scores(self, scores: Mapping[str, float]) -> None:
        """Reject unknown criteria and values outside a criterion's scale, naming the criterion."""
        by_key = {c.key: c for c in self.criteria}
        for key, value in scores.items():
            criterion = by_key.get(key)
            if criterion is None:
                raise Invalid(f"unknown criterion {key!r}; the rubric has {', '.join(by_key)}", field=f"scores.{key}")
            if not criterion.scale_min <= value <= criterion.scale_max:
                raise Invalid(
                    f"score for {key!r} must be between {criterion.scale_min:g} and {criterion.scale_max:g}",
                    field=f"scores.{key}",
                )

    def missing(self, scores: Mapping[str, float]) -> list[str]:
        return [key for key in self.keys() if key not in scores]

    def weighted_total(self, scores: Mapping[str, float]) -> float:
        """Each criterion normalised to 0..1 on its scale, weighted, as a 0..100 total."""
        weight_sum = sum(c.weight for c in self.criteria)
        total = sum(c.weight * (scores[c.key] - c.scale_min) / (c.scale_max - c.scale_min) for c in self.criteria)
        return round(100 * total / weight_sum, 4)


def combine_assessors(sheets: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """Several assessors' sheets become one: the mean per criterion over those who scored it."""
    collected: dict[str, list[float]] = {}
    for sheet in sheets:
        for key, value in sheet.items():
            collected.setdefault(key, []).append(value)
    return {key: fmean(values) for key, values in collected.items()}


MAX_EVIDENCE_LINKS = 20


@dataclass(frozen=True)
class Answer:
    """A region's own view of one criterion: a self-assessed score, a narrative and evidence links."""

    criterion: str
    score: float | None
    narrative: str | None
    evidence: tuple[str, ...]


def check_evidence_link(link: str, where: str) -> None:
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(ch.isspace() for ch in link):
        raise Invalid(f"evidence link {link!r} must be an http(s) URL with a host", field=where)


def check_answers(rubric: Rubric, answers: Sequence[Answer]) -> None:
    """Answers name the rubric's criteria, self-scores stay on the criterion's scale, evidence is linkable."""
    by_key = {c.key: c for c in rubric.criteria}
    seen: set[str] = set()
    for answer in answers:
        criterion = by_key.get(answer.criterion)
        where = f"answers.{answer.criterion}"
        if criterion is None:
            raise Invalid(f"unknown criterion {answer.criterion!r}; the rubric has {', '.join(by_key)}", field=where)
        if answer.criterion in seen:
            raise Invalid(f"criterion {answer.criterion!r} is answered twice", field=where)
        seen.add(answer.criterion)
        if answer.score is not None and not criterion.scale_min <= answer.score <= criterion.scale_max:
            raise Invalid(
                f"self-assessed score for {answer.criterion!r} must be between "
                f"{criterion.scale_min:g} and {criterion.scale_max:g}",
                field=f"{where}.score",
            )
        if len(answer.evidence) > MAX_EVIDENCE_LINKS:
            raise Invalid(f"at most {MAX_EVIDENCE_LINKS} evidence links per criterion", field=f"{where}.evidence")
        for index, link in enumerate(answer.evidence):
            check_evidence_link(link, f"{where}.evidence.{index}")


def unanswered(rubric: Rubric, answers: Sequence[Answer]) -> list[str]:
    """Criteria the self-assessment does not yet cover: no self-score or no evidence link."""
    done = {a.criterion for a in answers if a.score is not None and a.evidence}
    return [key for key in rubric.keys() if key not in done]
