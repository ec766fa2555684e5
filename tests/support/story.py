"""Which reminders the story's officials should have had, worked out from what the APIs say happened.

Each deadline is gathered from the service that owns it (milestones and their history, sessions, quick
wins and evaluations from mentoring; the signing from the MoU audit trail; the cohort's deadlines from
assessment) as generations (announced at, local due date, how it is reminded) and the moment it was met.
The reminders expected follow the policy as docs/notifications.md states it, written here again on
purpose rather than imported from the notification service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.clock import at_local_hour, local_date
from shared.config import ReminderPolicy

SELF_ASSESSMENT_AUDIENCE = ("kominfo_head", "bappeda_head")
ASSESSMENT_AUDIENCE = ("kominfo_head",)
SIGNING_AUDIENCE = ("kominfo_head",)
QUICK_WIN_AUDIENCE = ("kominfo_head", "bappeda_head")
FOREVER = datetime.max.replace(tzinfo=UTC)


def instant(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Generation:
    announced: datetime
    due_date: date
    day_before: bool = False


@dataclass
class Deadline:
    deadline_id: str
    region_code: str
    timezone: str
    audience: tuple[str, ...]
    generations: list[Generation] = field(default_factory=list)
    met_at: datetime | None = None


def reminder_times(generation: Generation, timezone: str, policy: ReminderPolicy) -> list[tuple[str, int, datetime]]:
    """(kind, escalation step, instant) of every reminder one generation of a deadline plans."""
    due = generation.due_date

    def at(day: date) -> datetime:
        return at_local_hour(day, policy.send_hour, timezone)

    if generation.day_before:
        return [("day_before", 0, at(due - timedelta(days=1)))]
    planned = [(f"before_{n}", 0, at(due - timedelta(days=n))) for n in policy.days_before]
    if policy.on_the_day:
        planned.append(("on_day", 0, at(due)))
    for step in range(1, policy.overdue_max + 1):
        planned.append((f"overdue_{step}", step, at(due + timedelta(days=step * policy.overdue_every_days))))
    return planned


def roles(deadline: Deadline, step: int, day_before: bool, escalation: tuple[str, ...]) -> list[str]:
    """The least senior official of the chain the audience names (the first if none) and the audience outside
    the chain; each overdue step one more up the chain. Everyone invited, the day before a session."""
    if day_before:
        return list(deadline.audience)
    named = [escalation.index(r) for r in deadline.audience if r in escalation]
    first = min(named) if named else 0
    return list(escalation[first : first + step + 1]) + [r for r in deadline.audience if r not in escalation]


def expected(
    deadlines: list[Deadline],
    officials: dict[str, dict[str, str]],
    policy: ReminderPolicy,
    outages: list[tuple[datetime, datetime]],
) -> set[tuple[str, str, str]]:
    """(deadline id, kind, recipient) of every reminder due: planned after its generation was announced and
    before the next one or the deadline being met, and not in a reminder outage (the later reminder that
    follows the outage is the one catch-up)."""
    out: set[tuple[str, str, str]] = set()
    for deadline in deadlines:
        ends = [g.announced for g in deadline.generations[1:]] + [deadline.met_at or FOREVER]
        for generation, end in zip(deadline.generations, ends, strict=True):
            for kind, step, at in reminder_times(generation, deadline.timezone, policy):
                if not generation.announced < at < end or any(start <= at < stop for start, stop in outages):
                    continue
                for role in roles(deadline, step, generation.day_before, policy.escalation):
                    email = officials[deadline.region_code].get(role)
                    if email:
                        out.add((deadline.deadline_id, kind, email.lower()))
    return out


def milestone_deadlines(call: Any, programme: dict[str, Any], year: int) -> list[Deadline]:
    """Every milestone (moved by revision requests), session and quick win of a programme."""
    tz, code = programme["timezone"], programme["region_code"]
    started = datetime.combine(date.fromisoformat(programme["signed_on"]), datetime.min.time(), UTC)
    out = []
    for stage in programme["stages"]:
        session = stage.get("session")
        if session:
            generation = Generation(started, date.fromisoformat(session["starts_on"]), day_before=True)
            out.append(
                Deadline(f"mentoring:session:{session['id']}", code, tz, tuple(session["audience"]), [generation])
            )
        for milestone in stage["milestones"]:
            history = call("mentoring", f"/milestones/{milestone['id']}/submissions")
            changes = history["due_date_changes"]
            first_due = changes[0]["old_due_date"] if changes else milestone["due_date"]
            generations = [Generation(started, date.fromisoformat(first_due))]
            generations += [Generation(instant(c["at"]), date.fromisoformat(c["new_due_date"])) for c in changes]
            deadline = Deadline(f"mentoring:milestone:{milestone['id']}", code, tz, tuple(milestone["audience"]))
            deadline.generations = generations
            accepted = [s["review"] for s in history["submissions"] if s["status"] == "accepted"]
            if accepted:
                deadline.met_at = instant(accepted[0]["reviewed_at"])
            elif milestone["kind"] == "evaluation":
                evaluation = call("mentoring", f"/programmes/{programme['id']}/evaluations/{year}")
                deadline.met_at = instant(evaluation["confirmed_at"]) if evaluation.get("confirmed_at") else None
            out.append(deadline)
    for item in call("mentoring", f"/programmes/{programme['id']}/quick-wins")["items"]:
        if item["due_date"]:
            deadline = Deadline(f"mentoring:quick_win:{item['id']}", code, tz, QUICK_WIN_AUDIENCE)
            deadline.generations = [Generation(instant(item["created_at"]), date.fromisoformat(item["due_date"]))]
            if item["status"] in ("done", "dropped"):
                deadline.met_at = instant(item["updated_at"])
            out.append(deadline)
    return out


def signing_deadline(call: Any, agreement: dict[str, Any], signing_days: int) -> Deadline:
    """Thirty days after selection, then the ceremony the ministry scheduled, reminded the day before."""
    audit = {entry["action"]: entry for entry in call("mou", f"/agreements/{agreement['id']}/audit")["items"]}
    tz = agreement["timezone"]
    drafted = instant(audit["drafted"]["at"])
    deadline = Deadline(f"mou:signing:{agreement['id']}", agreement["region_code"], tz, SIGNING_AUDIENCE)
    deadline.generations = [Generation(drafted, local_date(drafted, tz) + timedelta(days=signing_days))]
    if "scheduled" in audit:
        ceremony = instant(audit["scheduled"]["details"]["scheduled_at"])
        deadline.generations.append(
            Generation(instant(audit["scheduled"]["at"]), local_date(ceremony, tz), day_before=True)
        )
    if "signed" in audit:
        deadline.met_at = instant(audit["signed"]["at"])
    return deadline


def cohort_deadlines(
    call: Any,
    cohort: dict[str, Any],
    application: dict[str, Any],
    tz: str,
    partial: bool,
    completed_at: datetime | None,
) -> list[Deadline]:
    """The application's assessment deadline, and its self-assessment deadline when it applied incomplete
    (met when completed, or frozen by the first score sheet)."""
    year, code = cohort["year"], application["region_code"]
    applied = instant(application["submitted_at"])
    sheets = call("assessment", f"/applications/{application['id']}/scores")["sheets"]
    first_sheet = min((instant(s["scored_at"]) for s in sheets), default=None)
    assessment = Deadline(f"assessment:{year}:assessment:{code}", code, tz, ASSESSMENT_AUDIENCE, met_at=first_sheet)
    assessment.generations = [Generation(applied, local_date(instant(cohort["assessment_due_at"]), tz))]
    out = [assessment]
    if partial:
        deadline = Deadline(f"assessment:{year}:self_assessment:{code}", code, tz, SELF_ASSESSMENT_AUDIENCE)
        deadline.generations = [Generation(applied, local_date(instant(cohort["applications_close_at"]), tz))]
        deadline.met_at = completed_at or first_sheet
        out.append(deadline)
    return out
