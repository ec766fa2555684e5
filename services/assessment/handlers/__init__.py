"""Assessment use cases: each takes the unit of work and a command from commands.py, and never commits."""

from services.assessment.handlers.applications import submit_application, update_answers, withdraw_application
from services.assessment.handlers.cohorts import change_cohort, open_cohort
from services.assessment.handlers.regions import import_regions, replace_officials
from services.assessment.handlers.scoring import record_scores
from services.assessment.handlers.selection import run_selection

__all__ = [
    "change_cohort",
    "import_regions",
    "open_cohort",
    "record_scores",
    "replace_officials",
    "run_selection",
    "submit_application",
    "update_answers",
    "withdraw_application",
]
