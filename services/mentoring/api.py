"""Thin HTTP routes of the mentoring service."""

from __future__ import annotations

from flask import Response, jsonify
from flask_openapi3 import APIBlueprint, Tag

from services.mentoring import handlers
from services.mentoring.schemas import (
    MilestoneOut,
    MilestonePath,
    ProgrammeList,
    ProgrammeOut,
    ProgrammePath,
    ProgrammeQuery,
    RescheduleIn,
)
from shared.web import BEARER, current_principal, requires, runtime_of

programmes_tag = Tag(name="programmes", description="Mentoring programmes: stages, milestones and their deadlines")
api = APIBlueprint("mentoring", __name__, abp_security=BEARER)
READERS = ("operator", "assessor", "mentor", "service", "region")


@api.get(
    "/programmes",
    tags=[programmes_tag],
    responses={200: ProgrammeList},
    summary="Programmes, filtered by region and cohort",
)
@requires(*READERS)
def list_programmes(query: ProgrammeQuery) -> Response:
    with runtime_of().uow() as uow:
        programmes = handlers.list_programmes(uow, query.region, query.cohort, current_principal())
        return jsonify(items=[handlers.programme_view(uow, p) for p in programmes], total=len(programmes))


@api.get(
    "/programmes/<programme_id>",
    tags=[programmes_tag],
    responses={200: ProgrammeOut},
    summary="One programme: stages, milestones, due dates and status",
)
@requires(*READERS)
def get_programme(path: ProgrammePath) -> Response:
    with runtime_of().uow() as uow:
        programme = handlers.get_programme(uow, path.programme_id, current_principal())
        return jsonify(handlers.programme_view(uow, programme))


@api.patch(
    "/milestones/<milestone_id>",
    tags=[programmes_tag],
    responses={200: MilestoneOut},
    summary="Reschedule a milestone; publishes deadline.set again",
)
@requires("operator", "mentor")
def reschedule(path: MilestonePath, body: RescheduleIn) -> Response:
    with runtime_of().uow() as uow:
        milestone = handlers.reschedule_milestone(
            uow, path.milestone_id, body.due_date, body.reason, current_principal()
        )
        uow.commit()
        programme = handlers.get_programme(uow, milestone.programme_id)
        view = handlers.programme_view(uow, programme)
        return jsonify(next(m for s in view["stages"] for m in s["milestones"] if m["id"] == milestone.id))
