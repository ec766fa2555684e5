"""The plan of a programme: a cohort's template of stages and milestones, dated from the signing day."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from shared.clock import end_of_local_day
from shared.errors import Invalid


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
    # Who is invited to the stage's Bimtek; by default everyone its milestones are addressed to.
    session_audience: tuple[str, ...] | None = None


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
                    session_audience=_audience((stage.get("session") or {}).get("audience")),
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
            # A stage completes when its milestones are accepted: one without any would never complete.
            if not stage.milestones:
                raise Invalid(f"stage {stage.key} has no milestone", field="template")
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
    session_audience: tuple[str, ...] = ()


def _audience(value: Any) -> tuple[str, ...] | None:
    return tuple(value) if value else None


# Titles name the regulation that enacts the Masterplan by these placeholders, filled per region kind.
REGULATION_SHORT = "{regulation}"
REGULATION_LONG = "{regulation_name}"
# Templates stored before titles were named per region wrote both kinds for everyone.
LEGACY_REGULATION = "Perbup/Perwali"
# For a region whose kind cannot be told from its code: the generic name of a head of region's regulation.
GENERIC_REGULATION = ("Perkada", "Peraturan Kepala Daerah")


def name_regulation(text: str, regulation: tuple[str, str]) -> str:
    """A title with the region's own regulation: 'Perbup tentang Masterplan' for a kabupaten."""
    short, long = regulation
    return text.replace(REGULATION_LONG, long).replace(REGULATION_SHORT, short).replace(LEGACY_REGULATION, short)


def plan_from_signing(
    template: PlanTemplate, signed_on: date, timezone: str, regulation: tuple[str, str] = GENERIC_REGULATION
) -> list[PlannedStage]:
    """Every date is a local date counted from the signing day; its instant is that day's end locally.
    Titles name ``regulation`` (short and long name) where the template names the enacting regulation."""
    stages = []
    for position, stage in enumerate(template.stages, start=1):
        session_start = session_end = None
        if stage.session_offset_days is not None:
            session_start = signed_on + timedelta(days=stage.session_offset_days)
            session_end = session_start + timedelta(days=max((stage.session_days or 1) - 1, 0))
        invited = stage.session_audience or tuple(dict.fromkeys(a for m in stage.milestones for a in m.audience))
        milestones = tuple(
            PlannedMilestone(
                key=m.key,
                title=name_regulation(m.title, regulation),
                kind=m.kind,
                due_date=(due := signed_on + timedelta(days=m.offset_days)),
                due_at=end_of_local_day(due, timezone),
                audience=m.audience,
            )
            for m in stage.milestones
        )
        title = name_regulation(stage.title, regulation)
        stages.append(PlannedStage(stage.key, title, position, session_start, session_end, milestones, invited))
    return stages
