"""Thin HTTP routes of the assessment service; the rules live in handlers and domain."""

from services.assessment.api import cohorts, open_data, regions  # noqa: F401 (importing registers the routes)
from services.assessment.api.common import api, cohorts_tag, regions_tag

__all__ = ["api", "cohorts_tag", "regions_tag"]
