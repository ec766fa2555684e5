"""Which stage a programme is in: the stage of the work due first, and when stages start and complete."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from services.mentoring.domain.lifecycles import is_final, may_move, stage_complete


@dataclass(frozen=True)
class MilestoneProgress:
    due_at: datetime
    status: str


@dataclass(frozen=True)
class StageProgress:
    """A stage as the rules see it; stages are given in plan order."""

    key: str
    status: str
    milestones: tuple[MilestoneProgress, ...]

    @property
    def milestone_states(self) -> tuple[str, ...]:
        return tuple(m.status for m in self.milestones)


@dataclass(frozen=True)
class Advance:
    started: tuple[str, ...]
    completed: tuple[str, ...]
    programme_complete: bool


def current_stage(stages: Sequence[StageProgress]) -> str | None:
    """The stage of the earliest-due milestone not yet accepted; of milestones due at the same instant,
    the one whose stage comes first in the plan. None once every milestone is accepted.

    The plan's order is not the order work falls due: Buku I is due weeks before the two decrees of
    the first stage, so the region is in Bimtek I while its decrees are still being drafted."""
    open_work = [
        (milestone.due_at, position, stage.key)
        for position, stage in enumerate(stages)
        for milestone in stage.milestones
        if not is_final("milestone", milestone.status)
    ]
    return min(open_work)[2] if open_work else None


def advance_stages(stages: Sequence[StageProgress]) -> Advance:
    """Stages start in plan order, and a stage starts no later than when it becomes current: when the
    current stage is the n-th, every stage up to the n-th has started (none is passed over, so the
    decrees' stage runs alongside Bimtek I). Once every milestone is accepted, all have started.
    A started stage completes when all its milestones are accepted, whatever the order; work accepted
    before its stage started counts when the stage starts. The programme completes with its last stage."""
    current = current_stage(stages)
    keys = [stage.key for stage in stages]
    reach = keys.index(current) if current is not None else len(stages) - 1
    started: list[str] = []
    completed: list[str] = []
    for position, stage in enumerate(stages):
        if is_final("stage", stage.status):
            continue
        running = not may_move("stage", stage.status, "active")
        if not running and position <= reach:
            started.append(stage.key)
            running = True
        if running and stage_complete(stage.milestone_states):
            completed.append(stage.key)
    finished = {s.key for s in stages if is_final("stage", s.status)} | set(completed)
    return Advance(tuple(started), tuple(completed), programme_complete=bool(stages) and finished == set(keys))
