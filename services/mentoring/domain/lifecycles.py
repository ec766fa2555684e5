"""The lifecycles of programmes, stages, milestones, submissions, evaluations and quick wins, and the rules
that move them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

from shared.errors import Conflict, Invalid

# Each table is the whole truth of one lifecycle: a status changes only along it, through
# check_transition, and what a handler may do is asked of these tables, never of status strings.

PROGRAMME_TRANSITIONS: dict[str, tuple[str, ...]] = {"active": ("completed",), "completed": ()}
STAGE_TRANSITIONS: dict[str, tuple[str, ...]] = {"pending": ("active",), "active": ("completed",), "completed": ()}
# One hand-in is under review at a time; the evaluation milestone walks the same path through the
# self-assessment (submitted) and its confirmation (accepted).
MILESTONE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("submitted",),
    "submitted": ("accepted", "revision_requested"),
    "revision_requested": ("submitted",),
    "accepted": (),
}
# A review decides a submission once; a revision is a new submission, not a reopened one.
SUBMISSION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "submitted": ("accepted", "revision_requested"),
    "accepted": (),
    "revision_requested": (),
}
# The region may correct its self-assessment until an assessor confirms it.
EVALUATION_TRANSITIONS: dict[str, tuple[str, ...]] = {"self_assessed": ("self_assessed", "confirmed"), "confirmed": ()}
# A quick win is planned, carried out and done; it may be dropped until it is done.
QUICK_WIN_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "planned": ("in_progress", "dropped"),
    "in_progress": ("done", "dropped"),
    "done": (),
    "dropped": (),
}

Lifecycle = Literal["programme", "stage", "milestone", "submission", "evaluation", "quick_win"]
LIFECYCLES: dict[Lifecycle, dict[str, tuple[str, ...]]] = {
    "programme": PROGRAMME_TRANSITIONS,
    "stage": STAGE_TRANSITIONS,
    "milestone": MILESTONE_TRANSITIONS,
    "submission": SUBMISSION_TRANSITIONS,
    "evaluation": EVALUATION_TRANSITIONS,
    "quick_win": QUICK_WIN_TRANSITIONS,
}
INITIAL: dict[Lifecycle, str] = {
    "programme": "active",
    "stage": "pending",
    "milestone": "open",
    "submission": "submitted",
    "evaluation": "self_assessed",
    "quick_win": "planned",
}
PROGRAMME_STATES = tuple(PROGRAMME_TRANSITIONS)
STAGE_STATES = tuple(STAGE_TRANSITIONS)
MILESTONE_STATES = tuple(MILESTONE_TRANSITIONS)
QUICK_WIN_STATES = tuple(QUICK_WIN_TRANSITIONS)

# What entering a milestone state does to its deadline: a new or moved due date is announced, accepted
# work meets it; a hand-in under review leaves the reminders running until the mentor decides.
DEADLINE_ON_ENTRY: dict[str, Literal["set", "met"]] = {"open": "set", "revision_requested": "set", "accepted": "met"}


def may_move(lifecycle: Lifecycle, current: str, target: str) -> bool:
    return target in LIFECYCLES[lifecycle].get(current, ())


def is_final(lifecycle: Lifecycle, state: str) -> bool:
    return not LIFECYCLES[lifecycle].get(state, ())


def check_transition(lifecycle: Lifecycle, current: str, target: str) -> None:
    if not may_move(lifecycle, current, target):
        raise Conflict(
            f"the {lifecycle} is {current}; it cannot become {target}",
            current_state=current,
            allowed=list(LIFECYCLES[lifecycle].get(current, ())),
        )


def deadline_on_entry(milestone_state: str) -> Literal["set", "met"] | None:
    return DEADLINE_ON_ENTRY.get(milestone_state)


def check_programme_open(status: str) -> None:
    if is_final("programme", status):
        raise Conflict(f"the programme is {status}", current_state=status)


def stage_complete(milestone_states: Sequence[str]) -> bool:
    return bool(milestone_states) and all(is_final("milestone", state) for state in milestone_states)


def check_reschedule(new_due: date, today: date, status: str) -> None:
    if is_final("milestone", status):
        raise Conflict(f"an {status} milestone cannot be rescheduled", current_state=status)
    if new_due < today:
        raise Invalid(f"the new due date {new_due.isoformat()} is in the past", field="due_date")


# --- deliverables and their review ------------------------------------------------------

# A mentor's decision and the state it moves the submission (and its milestone) to.
ReviewOutcome = Literal["accepted", "revision_requested"]
REVIEW_OUTCOMES: dict[str, ReviewOutcome] = {"accept": "accepted", "request_revision": "revision_requested"}
DECISIONS = tuple(REVIEW_OUTCOMES)
HAND_IN_REFUSALS = {
    "accepted": "this milestone is already accepted",
    "submitted": "a submission for this milestone is awaiting review",
}


def check_submission(milestone_status: str, kind: str) -> None:
    """A region may hand in a deliverable while the milestone waits for one."""
    if kind == "evaluation":
        raise Conflict(
            "the evaluation is handed in as a self-assessment (PUT /programmes/<id>/evaluations/<year>), "
            "not as a document",
            current_state=milestone_status,
        )
    if not may_move("milestone", milestone_status, "submitted"):
        detail = HAND_IN_REFUSALS.get(milestone_status, f"this milestone is {milestone_status}")
        raise Conflict(detail, current_state=milestone_status)


def review_moves_due_date(decision: str) -> bool:
    """A revision request gives the milestone a new due date; an acceptance leaves the date alone."""
    return REVIEW_OUTCOMES.get(decision) == "revision_requested"


def check_review(
    submission_status: str, decision: str, comments: str | None, new_due: date | None, today: date
) -> None:
    if is_final("submission", submission_status):
        raise Conflict(f"this submission was already reviewed ({submission_status})", current_state=submission_status)
    if decision not in REVIEW_OUTCOMES:
        raise Invalid(f"decision must be one of {', '.join(DECISIONS)}", field="decision")
    if review_moves_due_date(decision):
        if not comments:
            raise Invalid("a revision request needs comments saying what to change", field="comments")
        if new_due is None:
            raise Invalid("a revision request needs a new due date", field="due_date")
        if new_due < today:
            raise Invalid(f"the new due date {new_due.isoformat()} is in the past", field="due_date")


# --- the evaluation ----------------------------------------------------------------------


def check_self_assessment(current: str | None) -> None:
    """A first self-assessment opens the evaluation; a later one corrects it until it is confirmed."""
    if current is not None and not may_move("evaluation", current, "self_assessed"):
        raise Conflict(f"the evaluation is already {current}", current_state=current)


def check_confirmation(current: str | None) -> None:
    if current is None:
        raise Conflict("the region has not handed in its self-assessment yet", current_state="missing")
    if not may_move("evaluation", current, "confirmed"):
        raise Conflict(f"the evaluation is already {current}", current_state=current)
