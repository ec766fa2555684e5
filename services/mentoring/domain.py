"""Mentoring (pendampingan) rules: the plan template, dates from the signing day, stage progress."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from shared.clock import end_of_local_day
from shared.errors import Conflict, Invalid

MILESTONE_STATES = ("open", "submitted", "revision_requested", "accepted")
STAGE_STATES = ("pending", "active", "completed")


@dataclass(frozen=True)
class MilestoneTemplate:
    key: str
    title: str
    kind: str
    offset_days: int
    audience: tuple[str, ...]


@dataclass(frozen=True)
class StageTemplate:
    key: str
    title: str
    milestones: tuple[MilestoneTemplate, ...]
    session_offset_days: int | None = None
    session_days: int | None = None


@dataclass(frozen=True)
class PlanTemplate:
    name: str
    version: int
    stages: tuple[StageTemplate, ...]

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> PlanTemplate:
        try:
            stages = tuple(
                StageTemplate(
                    key=stage["key"],
                    title=stage["title"],
                    session_offset_days=(stage.get("session") or {}).get("offset_days"),
                    session_days=(stage.get("session") or {}).get("days"),
                    milestones=tuple(
                        MilestoneTemplate(
                            key=m["key"],
                            title=m["title"],
                            kind=m.get("kind", "milestone"),
                            offset_days=int(m["offset_days"]),
                            audience=tuple(m["audience"]),
                        )
                        for m in stage["milestones"]
                    ),
                )
                for stage in data["stages"]
            )
            template = cls(name=str(data["name"]), version=int(data["version"]), stages=stages)
        except (KeyError, TypeError, ValueError) as exc:
            raise Invalid(f"plan template is malformed: {exc!r}", field="template") from None
        template.check()
        return template

    def check(self) -> None:
        keys = [m.key for s in self.stages for m in s.milestones]
        if not self.stages or not keys:
            raise Invalid("a plan needs at least one stage with a milestone", field="template")
        if len(set(keys)) != len(keys) or len({s.key for s in self.stages}) != len(self.stages):
            raise Invalid("stage and milestone keys must be unique", field="template")
        for stage in self.stages:
            for milestone in stage.milestones:
                if milestone.offset_days < 0:
                    raise Invalid(f"milestone {milestone.key} has a negative offset", field="template")
                if not milestone.audience:
                    raise Invalid(f"milestone {milestone.key} names no audience", field="template")


@dataclass(frozen=True)
class PlannedMilestone:
    key: str
    title: str
    kind: str
    due_date: date
    due_at: datetime
    audience: tuple[str, ...]


@dataclass(frozen=True)
class PlannedStage:
    key: str
    title: str
    position: int
    session_start: date | None
    session_end: date | None
    milestones: tuple[PlannedMilestone, ...]


def plan_from_signing(template: PlanTemplate, signed_on: date, timezone: str) -> list[PlannedStage]:
    """Every date is a local date counted from the signing day; its instant is that day's end locally."""
    stages = []
    for position, stage in enumerate(template.stages, start=1):
        session_start = session_end = None
        if stage.session_offset_days is not None:
            session_start = signed_on + timedelta(days=stage.session_offset_days)
            session_end = session_start + timedelta(days=max((stage.session_days or 1) - 1, 0))
        milestones = tuple(
            PlannedMilestone(
                key=m.key,
                title=m.title,
                kind=m.kind,
                due_date=(due := signed_on + timedelta(days=m.offset_days)),
                due_at=end_of_local_day(due, timezone),
                audience=m.audience,
            )
            for m in stage.milestones
        )
        stages.append(PlannedStage(stage.key, stage.title, position, session_start, session_end, milestones))
    return stages


def stage_complete(milestone_states: Sequence[str]) -> bool:
    return bool(milestone_states) and all(state == "accepted" for state in milestone_states)


def check_reschedule(new_due: date, today: date, status: str) -> None:
    if status == "accepted":
        raise Conflict("an accepted milestone cannot be rescheduled", current_state=status)
    if new_due < today:
        raise Invalid(f"the new due date {new_due.isoformat()} is in the past", field="due_date")


# --- deliverables and their review ------------------------------------------------------

DECISIONS = ("accept", "request_revision")


def check_submission(milestone_status: str, kind: str) -> None:
    """A region may hand in a deliverable while the milestone waits for one."""
    if kind == "evaluation":
        raise Conflict(
            "the evaluation is handed in as a self-assessment (PUT /programmes/<id>/evaluation), not a document",
            current_state=milestone_status,
        )
    if milestone_status == "accepted":
        raise Conflict("this milestone is already accepted", current_state=milestone_status)
    if milestone_status == "submitted":
        raise Conflict("a submission for this milestone is awaiting review", current_state=milestone_status)


def check_review(
    submission_status: str, decision: str, comments: str | None, new_due: date | None, today: date
) -> None:
    if submission_status != "submitted":
        raise Conflict(f"this submission was already reviewed ({submission_status})", current_state=submission_status)
    if decision not in DECISIONS:
        raise Invalid(f"decision must be one of {', '.join(DECISIONS)}", field="decision")
    if decision == "request_revision":
        if not comments:
            raise Invalid("a revision request needs comments saying what to change", field="comments")
        if new_due is None:
            raise Invalid("a revision request needs a new due date", field="due_date")
        if new_due < today:
            raise Invalid(f"the new due date {new_due.isoformat()} is in the past", field="due_date")


@dataclass(frozen=True)
class StageProgress:
    key: str
    status: str
    milestone_states: tuple[str, ...]


@dataclass(frozen=True)
class Advance:
    started: tuple[str, ...]
    completed: tuple[str, ...]
    programme_complete: bool


def advance_stages(stages: Sequence[StageProgress]) -> Advance:
    """Stages run in order: each completes once all its milestones are accepted, and only then
    does the next start. Work handed in early counts when its stage's turn comes."""
    started: list[str] = []
    completed: list[str] = []
    for stage in stages:
        if stage.status == "completed":
            continue
        if stage.status == "pending":
            started.append(stage.key)
        if not stage_complete(stage.milestone_states):
            return Advance(tuple(started), tuple(completed), programme_complete=False)
        completed.append(stage.key)
    return Advance(tuple(started), tuple(completed), programme_complete=True)


# --- evaluation (monev) -----------------------------------------------------------------

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
