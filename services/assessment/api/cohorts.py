"""Routes for cohorts, applications, scores, ranking and selection; the Satu Data results are in open_data."""

from __future__ import annotations

from flask import Response, jsonify

from services.assessment import commands, handlers, repository, views
from services.assessment.api.common import (
    STAFF,
    api,
    application_detail_json,
    application_json,
    cohort_json,
    cohorts_tag,
)
from services.assessment.domain import Answer
from services.assessment.orm import Application
from services.assessment.schemas import (
    AnswerIn,
    AnswersIn,
    ApplicationDetail,
    ApplicationIn,
    ApplicationList,
    ApplicationOut,
    ApplicationPath,
    ApplicationQuery,
    AuditTrail,
    CohortChangeIn,
    CohortIn,
    CohortList,
    CohortOut,
    RankingOut,
    ScoresIn,
    ScoresOut,
    SelectionIn,
    WithdrawalIn,
    YearPath,
)
from shared.auth import check_region
from shared.web import conditional_json, current_principal, json_answer, kept_answers, requires, runtime_of


def answers(body: dict[str, AnswerIn]) -> dict[str, Answer]:
    """The request's answers as the domain's values."""
    return {key: Answer(key, a.score, a.narrative, tuple(a.evidence)) for key, a in body.items()}


@api.post("/cohorts", tags=[cohorts_tag], responses={201: CohortOut}, summary="Open a cohort")
@requires("operator")
def create_cohort(body: CohortIn) -> tuple[Response, int]:
    command = commands.OpenCohort(
        year=body.year,
        quotas=dict(body.quotas),
        applications_open_at=body.applications_open_at,
        applications_close_at=body.applications_close_at,
        assessment_due_at=body.assessment_due_at,
        rubric=tuple(c.model_dump() for c in body.rubric) if body.rubric else None,
        actor=current_principal(),
    )
    with runtime_of().uow() as uow:
        cohort = handlers.open_cohort(uow, command)
        uow.commit()
        return jsonify(cohort_json(cohort, 0)), 201


@api.get("/cohorts", tags=[cohorts_tag], responses={200: CohortList}, summary="Every cohort, newest first")
def list_cohorts() -> Response:
    with runtime_of().uow() as uow:
        return jsonify(items=[cohort_json(c, views.count_applications(uow, c.year)) for c in views.list_cohorts(uow)])


@api.get("/cohorts/<int:year>", tags=[cohorts_tag], responses={200: CohortOut}, summary="One cohort")
def get_cohort(path: YearPath) -> Response:
    with runtime_of().uow() as uow:
        cohort = repository.get_cohort(uow, path.year)
        return jsonify(cohort_json(cohort, views.count_applications(uow, path.year)))


@api.patch(
    "/cohorts/<int:year>",
    tags=[cohorts_tag],
    responses={200: CohortOut},
    summary="Move an open cohort's dates or quotas; applicants' deadlines follow",
)
@requires("operator")
def change_cohort(path: YearPath, body: CohortChangeIn) -> Response:
    command = commands.ChangeCohort(
        year=path.year,
        applications_close_at=body.applications_close_at,
        assessment_due_at=body.assessment_due_at,
        quotas=dict(body.quotas) if body.quotas else None,
        actor=current_principal(),
    )
    with runtime_of().uow() as uow:
        cohort = handlers.change_cohort(uow, command)
        uow.commit()
        return jsonify(cohort_json(cohort, views.count_applications(uow, path.year)))


@api.post(
    "/cohorts/<int:year>/applications",
    tags=[cohorts_tag],
    responses={201: ApplicationOut},
    summary="A region applies to the cohort",
)
@requires("operator", "region")
def submit_application(path: YearPath, body: ApplicationIn) -> tuple[Response, int]:
    command = commands.SubmitApplication(path.year, body.region_code, answers(body.answers), current_principal())
    with runtime_of().uow() as uow:
        application = handlers.submit_application(uow, command)
        # Serialised inside the transaction, from what is being committed: no second transaction to read it.
        answer = application_json(application, repository.get_region(uow, body.region_code))
        uow.commit()
        return jsonify(answer), 201


@api.get(
    "/cohorts/<int:year>/applications",
    tags=[cohorts_tag],
    responses={200: ApplicationList},
    summary="The cohort's applications",
)
@requires(*STAFF, "region")
def list_applications(path: YearPath, query: ApplicationQuery) -> Response:
    principal = current_principal()
    region = query.region
    if principal.role == "region":
        # A region sees its own application only, so it can find it without knowing its id.
        region = region or principal.region
        check_region(principal, region)
    with runtime_of().uow() as uow:
        rows = repository.list_applications(uow, path.year, query.status, region)
        return jsonify(items=[application_json(a, r) for a, r in rows])


def _detail_response(uow, application: Application) -> Response:  # noqa: ANN001
    region = repository.get_region(uow, application.region_code)
    return jsonify(application_detail_json(application, region, views.unanswered_criteria(uow, application)))


@api.get(
    "/applications/<application_id>",
    tags=[cohorts_tag],
    responses={200: ApplicationDetail},
    summary="One application with its self-assessment answers and evidence links",
)
@requires(*STAFF, "region")
def get_application(path: ApplicationPath) -> Response:
    with runtime_of().uow() as uow:
        return _detail_response(uow, repository.get_application(uow, path.application_id, current_principal()))


@api.put(
    "/applications/<application_id>/answers",
    tags=[cohorts_tag],
    responses={200: ApplicationDetail},
    summary="Complete or revise the self-assessment while the window is open (criteria sent are replaced)",
)
@requires("operator", "region")
def put_answers(path: ApplicationPath, body: AnswersIn) -> Response:
    command = commands.UpdateAnswers(path.application_id, answers(body.answers), current_principal())
    with runtime_of().uow() as uow:
        application = handlers.update_answers(uow, command)
        uow.commit()
        return _detail_response(uow, application)


@api.post(
    "/applications/<application_id>/withdrawal",
    tags=[cohorts_tag],
    responses={200: ApplicationDetail},
    summary="Withdraw the application (until selection)",
)
@requires("operator", "region")
def withdraw_application(path: ApplicationPath, body: WithdrawalIn) -> Response:
    command = commands.WithdrawApplication(path.application_id, body.reason, current_principal())
    with runtime_of().uow() as uow:
        application = handlers.withdraw_application(uow, command)
        uow.commit()
        return _detail_response(uow, application)


@api.put(
    "/applications/<application_id>/scores",
    tags=[cohorts_tag],
    responses={200: ScoresOut},
    summary="An assessor scores the rubric's criteria (partial sheets allowed)",
)
@requires("assessor")
def put_scores(path: ApplicationPath, body: ScoresIn) -> Response:
    command = commands.RecordScores(path.application_id, dict(body.scores), current_principal())
    with runtime_of().uow() as uow:
        handlers.record_scores(uow, command)
        uow.commit()
        return jsonify(ScoresOut(**views.scores_view(uow, path.application_id)).model_dump(mode="json"))


@api.get(
    "/applications/<application_id>/scores",
    tags=[cohorts_tag],
    responses={200: ScoresOut},
    summary="Who scored what and when, and the combined total",
)
@requires("operator", "assessor")
def get_scores(path: ApplicationPath) -> Response:
    with runtime_of().uow() as uow:
        return jsonify(ScoresOut(**views.scores_view(uow, path.application_id)).model_dump(mode="json"))


@api.post(
    "/cohorts/<int:year>/selection",
    tags=[cohorts_tag],
    responses={200: RankingOut},
    summary="Rank, fill the quotas and finalise the cohort (idempotent)",
)
@requires("operator")
def run_selection(path: YearPath, body: SelectionIn) -> Response:
    with runtime_of().uow() as uow:
        command = commands.RunSelection(path.year, force=body.force, reason=body.reason, actor=current_principal())
        handlers.run_selection(uow, command)
        uow.commit()
        return jsonify(views.ranking(uow, path.year))


@api.get(
    "/cohorts/<int:year>/ranking",
    tags=[cohorts_tag],
    responses={200: RankingOut},
    summary="Weighted totals ranked per kind, with the tie-break rule",
)
@requires(*STAFF)
def get_ranking(path: YearPath) -> Response:
    """Computed once per change to the cohort, its applications or the register, then kept (with its
    ETag) until PostgreSQL says one of them changed."""

    def build() -> tuple[bytes, str]:
        with runtime_of().reader() as uow:
            return json_answer(views.ranking(uow, path.year))

    return conditional_json(*kept_answers("ranking").get(path.year, build))


@api.get(
    "/cohorts/<int:year>/audit",
    tags=[cohorts_tag],
    responses={200: AuditTrail},
    summary="Who opened, changed and selected the cohort, when, and why a selection was forced",
)
@requires("operator", "assessor")
def audit_trail(path: YearPath) -> Response:
    with runtime_of().uow() as uow:
        entries = views.audit_trail(uow, path.year)
        return jsonify(
            AuditTrail(
                cohort_year=path.year,
                items=[
                    {
                        "at": e.at,
                        "actor": e.actor,
                        "action": e.action,
                        "details": e.details,
                        "correlation_id": e.correlation_id,
                    }
                    for e in entries
                ],
            ).model_dump(mode="json")
        )
