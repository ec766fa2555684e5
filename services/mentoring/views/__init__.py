"""Mentoring reads: plain functions of a unit of work and plain arguments that change nothing."""

from services.mentoring.handlers.common import get_programme, get_submission, mentors_of
from services.mentoring.views.cohorts import template_view, weights_view
from services.mentoring.views.deliverables import milestone_history, submission_file, submission_view
from services.mentoring.views.evaluation import evaluation_view, evaluations_view
from services.mentoring.views.programmes import (
    list_programmes,
    mentor_items,
    milestone_view,
    programme_view,
    session_view,
)
from services.mentoring.views.progress import cohort_progress, programme_progress
from services.mentoring.views.quick_wins import quick_win_register, quick_win_view

__all__ = [
    "cohort_progress",
    "evaluation_view",
    "evaluations_view",
    "get_programme",
    "get_submission",
    "list_programmes",
    "mentor_items",
    "mentors_of",
    "milestone_history",
    "milestone_view",
    "programme_progress",
    "programme_view",
    "quick_win_register",
    "quick_win_view",
    "session_view",
    "submission_file",
    "submission_view",
    "template_view",
    "weights_view",
]
