"""The mentoring blueprint, its OpenAPI tags, who may read what, and the runtime its routes run on."""

from __future__ import annotations

from flask_openapi3 import APIBlueprint, Tag

from services.mentoring.app import MentoringRuntime
from shared.web import BEARER, runtime_of

programmes_tag = Tag(name="programmes", description="Mentoring programmes: stages, milestones and their deadlines")
deliverables_tag = Tag(name="deliverables", description="Documents handed in per milestone and their review")
evaluation_tag = Tag(name="evaluation", description="Monev: self-assessment with evidence, confirmed by an assessor")
cohorts_tag = Tag(name="cohorts", description="A cohort's plan template, monev weights and progress")
quick_wins_tag = Tag(name="quick wins", description="The register of quick wins per smart city dimension")
TAGS = [programmes_tag, deliverables_tag, evaluation_tag, quick_wins_tag, cohorts_tag]

api = APIBlueprint("mentoring", __name__, abp_security=BEARER)
READERS = ("operator", "assessor", "mentor", "service", "region")
STAFF = ("operator", "assessor", "mentor", "service")
# The region keeps its register with its mentor; an operator may correct it.
REGISTER_KEEPERS = ("region", "mentor", "operator")


def mentoring_runtime() -> MentoringRuntime:
    runtime = runtime_of()
    if not isinstance(runtime, MentoringRuntime):
        raise TypeError("the mentoring app runs on the runtime services.mentoring.app.bootstrap() builds")
    return runtime
