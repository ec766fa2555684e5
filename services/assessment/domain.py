"""Assessment rules: region codes, officials' seniority, rubric scoring, ranking and quota selection."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import fmean
from urllib.parse import urlsplit

from shared.errors import Conflict, Invalid

PROVINCE_CODE = re.compile(r"^\d{2}$")
KABKOTA_CODE = re.compile(r"^(\d{2})\.(\d{2})$")
KINDS = ("provinsi", "kabupaten", "kota")
QUOTA_GROUPS = ("provinsi", "kabkota")
ACTING = ("Pj", "Plh", "Plt")
OFFICIAL_ROLES = ("head_of_region", "regional_secretary", "kominfo_head", "bappeda_head", "bpkpad_head")
TIE_BREAK_RULE = (
    "higher weighted total first; equal totals: earlier submission first; "
    "still equal: lower Kemendagri region code first"
)


def check_region_code(code: str, kind: str, province_code: str | None) -> None:
    """Kemendagri codes: 'PP' for a province, 'PP.RR' for a kabupaten (RR 01-69) or kota (RR >= 71)."""
    if kind not in KINDS:
        raise Invalid(f"kind must be one of {', '.join(KINDS)}", field="kind")
    if kind == "provinsi":
        if not PROVINCE_CODE.match(code):
            raise Invalid(f"province code {code!r} must be two digits, e.g. '12'", field="code")
        if province_code:
            raise Invalid("a province has no parent province_code", field="province_code")
        return
    match = KABKOTA_CODE.match(code)
    if not match:
        raise Invalid(f"kabupaten/kota code {code!r} must look like 'PP.RR', e.g. '12.01'", field="code")
    if province_code != match.group(1):
        raise Invalid(
            f"province_code must be {match.group(1)!r}, the first two digits of {code!r}", field="province_code"
        )
    regency = int(match.group(2))
    if kind == "kota" and regency < 71:
        raise Invalid(f"a kota code has RR of 71 or more; {code!r} is a kabupaten code", field="code")
    if kind == "kabupaten" and not 1 <= regency <= 69:
        raise Invalid(f"a kabupaten code has RR from 01 to 69; {code!r} is not", field="code")


def quota_group(kind: str) -> str:
    return "provinsi" if kind == "provinsi" else "kabkota"


# --- rubric ------------------------------------------------------------------------------


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


# --- applications -------------------------------------------------------------------------

APPLICATION_STATES = ("submitted", "under_assessment", "scored", "selected", "not_selected", "withdrawn")


def check_application_window(now: datetime, opens_at: datetime, closes_at: datetime) -> None:
    if now < opens_at:
        raise Conflict(f"applications open at {opens_at.isoformat()}", rule="application_window")
    if now > closes_at:
        raise Conflict(f"applications closed at {closes_at.isoformat()}", rule="application_window")


def check_withdrawable(state: str) -> None:
    if state in ("selected", "not_selected", "withdrawn"):
        raise Conflict(f"an application that is {state} cannot be withdrawn", current_state=state)


# --- ranking and selection -------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    application_id: str
    region_code: str
    kind: str
    total: float
    submitted_at: datetime


@dataclass(frozen=True)
class Placement:
    candidate: Candidate
    group: str
    rank: int
    selected: bool
    tied_with: tuple[str, ...] = field(default_factory=tuple)


def rank_and_select(candidates: Iterable[Candidate], quotas: Mapping[str, int]) -> list[Placement]:
    """Rank each quota group by total and fill its quota. Deterministic whatever the input order."""
    placements: list[Placement] = []
    by_group: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        by_group.setdefault(quota_group(candidate.kind), []).append(candidate)
    for group in sorted(by_group):
        ordered = sorted(by_group[group], key=lambda c: (-c.total, c.submitted_at, c.region_code))
        quota = quotas.get(group, 0)
        totals: dict[float, list[str]] = {}
        for candidate in ordered:
            totals.setdefault(candidate.total, []).append(candidate.region_code)
        for index, candidate in enumerate(ordered):
            tied = tuple(code for code in totals[candidate.total] if code != candidate.region_code)
            placements.append(Placement(candidate, group, index + 1, index < quota, tied))
    return placements


@dataclass(frozen=True)
class Readiness:
    unscored: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return not self.unscored


def check_selectable(readiness: Readiness, *, force: bool, reason: str | None) -> None:
    if readiness.ready:
        return
    if not force:
        raise Conflict(
            f"{len(readiness.unscored)} application(s) are not fully scored; score them, "
            "or force selection with a reason",
            missing=list(readiness.unscored),
        )
    if not reason or not reason.strip():
        raise Invalid("forcing selection needs a reason", field="reason")


def check_due(due: date | None, label: str) -> None:
    if due is None:
        raise Invalid(f"{label} is required", field=label)


# --- officials -----------------------------------------------------------------------------


def check_official_roles(roles: Sequence[str], allowed: Sequence[str]) -> None:
    """Roles come from a known list (the standard five plus any configured ones), so a typo never
    silently creates a role that reminders will not reach."""
    for index, role in enumerate(roles):
        if role not in allowed:
            raise Invalid(
                f"unknown official role {role!r}; known roles: {', '.join(allowed)} "
                "(more can be configured with CERDAS_EXTRA_OFFICIAL_ROLES)",
                field=f"officials.{index}.role",
            )


# --- self-assessment -------------------------------------------------------------------------

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


def check_answers_editable(state: str, now: datetime, closes_at: datetime) -> None:
    if state != "submitted":
        raise Conflict(f"the self-assessment of an application that is {state} can no longer change", rule="state")
    if now > closes_at:
        raise Conflict(
            f"applications closed at {closes_at.isoformat()}; the self-assessment is frozen", rule="application_window"
        )


# --- cohort deadlines (see docs/decisions/0004-cohort-deadlines.md) --------------------------

SELF_ASSESSMENT_AUDIENCE = ("kominfo_head", "bappeda_head")
ASSESSMENT_AUDIENCE = ("kominfo_head",)


def self_assessment_deadline_id(year: int, region_code: str) -> str:
    return f"assessment:{year}:self_assessment:{region_code}"


def assessment_deadline_id(year: int, region_code: str) -> str:
    return f"assessment:{year}:assessment:{region_code}"
