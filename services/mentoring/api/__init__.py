"""Thin HTTP routes of the mentoring service, one module per part of the API on one blueprint."""

from services.mentoring.api import (  # noqa: F401 (they register routes)
    cohorts,
    deliverables,
    evaluation,
    programmes,
    quick_wins,
)
from services.mentoring.api.common import TAGS, api

__all__ = ["TAGS", "api"]
