"""Mentoring use cases: ``handler(uow, command)``, run by the routes and the event consumer, which commit."""

from services.mentoring.handlers.deliverables import check_hand_in, review_submission, submit_deliverable
from services.mentoring.handlers.evaluation import confirm_evaluation, self_assess
from services.mentoring.handlers.plans import set_evaluation_weights, set_plan_template
from services.mentoring.handlers.programmes import (
    assign_mentor,
    reschedule_milestone,
    start_programme,
    unassign_mentor,
)
from services.mentoring.handlers.quick_wins import add_quick_win, update_quick_win
from services.mentoring.handlers.sessions import reschedule_session

__all__ = [
    "add_quick_win",
    "assign_mentor",
    "check_hand_in",
    "confirm_evaluation",
    "reschedule_milestone",
    "reschedule_session",
    "review_submission",
    "self_assess",
    "set_evaluation_weights",
    "set_plan_template",
    "start_programme",
    "submit_deliverable",
    "unassign_mentor",
    "update_quick_win",
]
