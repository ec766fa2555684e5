"""Routes for programmes: reading them, their progress, their mentors, and moving milestones and sessions."""

from __future__ import annotations

from flask import Response, jsonify

from services.mentoring import handlers, views
from services.mentoring.api.common import READERS, api, programmes_tag
from services.mentoring.commands import AssignMentor, RescheduleMilestone, RescheduleSession, UnassignMentor
from services.mentoring.schemas import (
    MentorIn,
    MentorList,
    MentorPath,
    MilestoneOut,
    MilestonePath,
    ProgrammeList,
    ProgrammeOut,
    ProgrammePath,
    ProgrammeProgressOut,
    ProgrammeQuery,
    RescheduleIn,
    SessionMoveIn,
    SessionOut,
    SessionPath,
)
from shared.web import current_principal, requires, runtime_of


@api.get(
    "/programmes",
    tags=[programmes_tag],
    responses={200: ProgrammeList},
    summary="Programmes, filtered by region and cohort; a mentor sees the programmes assigned to them",
)
@requires(*READERS)
def list_programmes(query: ProgrammeQuery) -> Response:
    with runtime_of().uow() as uow:
        programmes = views.list_programmes(uow, query.region, query.cohort, current_principal())
        return jsonify(items=[views.programme_view(uow, p) for p in programmes], total=len(programmes))


@api.get(
    "/programmes/<programme_id>",
    tags=[programmes_tag],
    responses={200: ProgrammeOut},
    summary="One programme: stages, milestones, due dates and status",
)
@requires(*READERS)
def get_programme(path: ProgrammePath) -> Response:
    with runtime_of().uow() as uow:
        programme = views.get_programme(uow, path.programme_id, current_principal())
        return jsonify(views.programme_view(uow, programme))


@api.get(
    "/programmes/<programme_id>/progress",
    tags=[programmes_tag],
    responses={200: ProgrammeProgressOut},
    summary="Where a programme stands: current stage, next deadline and overdue items",
)
@requires(*READERS)
def programme_progress(path: ProgrammePath) -> Response:
    with runtime_of().uow() as uow:
        programme = views.get_programme(uow, path.programme_id, current_principal())
        return jsonify(views.programme_progress(uow, programme))


@api.get(
    "/programmes/<programme_id>/mentors",
    tags=[programmes_tag],
    responses={200: MentorList},
    summary="The mentors assigned to a programme",
)
@requires(*READERS)
def list_mentors(path: ProgrammePath) -> Response:
    with runtime_of().uow() as uow:
        programme = views.get_programme(uow, path.programme_id, current_principal())
        return jsonify(items=views.mentor_items(uow, programme.id))


@api.post(
    "/programmes/<programme_id>/mentors",
    tags=[programmes_tag],
    responses={200: MentorList},
    summary="Assign a mentor (identified by the `sub` of their token) to a programme",
)
@requires("operator")
def assign_mentor(path: ProgrammePath, body: MentorIn) -> Response:
    command = AssignMentor(path.programme_id, body.mentor, body.name, current_principal())
    with runtime_of().uow() as uow:
        handlers.assign_mentor(uow, command)
        uow.commit()
        return jsonify(items=views.mentor_items(uow, path.programme_id))


@api.delete(
    "/programmes/<programme_id>/mentors/<mentor>",
    tags=[programmes_tag],
    responses={200: MentorList},
    summary="Withdraw a mentor from a programme",
)
@requires("operator")
def unassign_mentor(path: MentorPath) -> Response:
    with runtime_of().uow() as uow:
        handlers.unassign_mentor(uow, UnassignMentor(path.programme_id, path.mentor))
        uow.commit()
        return jsonify(items=views.mentor_items(uow, path.programme_id))


@api.patch(
    "/milestones/<milestone_id>",
    tags=[programmes_tag],
    responses={200: MilestoneOut},
    summary="Reschedule a milestone; publishes deadline.set again and keeps the old date in its history",
)
@requires("operator", "mentor")
def reschedule(path: MilestonePath, body: RescheduleIn) -> Response:
    command = RescheduleMilestone(path.milestone_id, body.due_date, body.reason, current_principal())
    with runtime_of().uow() as uow:
        milestone = handlers.reschedule_milestone(uow, command)
        uow.commit()
        programme = views.get_programme(uow, milestone.programme_id)
        return jsonify(views.milestone_view(uow, programme, milestone.id))


@api.patch(
    "/sessions/<session_id>",
    tags=[programmes_tag],
    responses={200: SessionOut},
    summary="Move a Bimtek session or set its venue; announces it again (sequence + 1) with a day-before reminder",
)
@requires("operator", "mentor")
def reschedule_session(path: SessionPath, body: SessionMoveIn) -> Response:
    command = RescheduleSession(path.session_id, current_principal(), body.starts_on, body.ends_on, body.venue)
    with runtime_of().uow() as uow:
        session = handlers.reschedule_session(uow, command)
        uow.commit()
        return jsonify(views.session_view(session))
