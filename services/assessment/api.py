"""Thin HTTP routes of the assessment service; the rules live in handlers and domain."""

from __future__ import annotations

from flask import Response, jsonify
from flask_openapi3 import APIBlueprint, Tag

from services.assessment import handlers
from services.assessment.orm import Application, Cohort, Official, Region
from services.assessment.schemas import (
    ApplicationIn,
    ApplicationList,
    ApplicationOut,
    ApplicationPath,
    CohortIn,
    CohortOut,
    ImportResult,
    OfficialsIn,
    OfficialsOut,
    OfficialsQuery,
    RankingOut,
    RegionBulkIn,
    RegionIn,
    RegionList,
    RegionOut,
    RegionPath,
    RegionQuery,
    ScoresIn,
    ScoresOut,
    SelectionIn,
    YearPath,
)
from shared.web import BEARER, current_principal, requires, runtime_of

STAFF = ("operator", "assessor", "mentor", "service")
regions_tag = Tag(name="regions", description="The Kemendagri region register and each region's officials")
cohorts_tag = Tag(name="cohorts", description="Yearly cohorts, applications, scores, ranking and selection")
api = APIBlueprint("assessment", __name__, abp_security=BEARER)


def _region(region: Region) -> dict:
    return RegionOut.model_validate(region, from_attributes=True).model_dump(mode="json")


def _officials(code: str, officials: list[Official]) -> dict:
    return {
        "region_code": code,
        "officials": [
            {
                "role": o.role,
                "name": o.name,
                "title": o.title,
                "position": o.position,
                "email": o.email,
                "acting": o.acting,
                "valid_from": o.valid_from.isoformat(),
                "valid_until": o.valid_until.isoformat() if o.valid_until else None,
            }
            for o in officials
        ],
    }


def _cohort(cohort: Cohort, applications: int) -> dict:
    return CohortOut(
        year=cohort.year,
        quotas=handlers.quotas(cohort),
        applications_open_at=cohort.applications_open_at,
        applications_close_at=cohort.applications_close_at,
        assessment_due_at=cohort.assessment_due_at,
        rubric=cohort.rubric,
        status=cohort.status,
        finalized_at=cohort.finalized_at,
        applications=applications,
    ).model_dump(mode="json")


def _application(application: Application, region: Region) -> dict:
    return ApplicationOut(
        id=application.id,
        cohort_year=application.cohort_year,
        region_code=region.code,
        region_name=region.name,
        kind=region.kind,
        status=application.status,
        submitted_at=application.submitted_at,
        total=application.total,
        rank=application.rank,
        selected=application.selected,
    ).model_dump(mode="json")


@api.post("/regions", tags=[regions_tag], responses={201: RegionOut}, summary="Register or update one region")
@requires("operator")
def create_region(body: RegionIn) -> tuple[Response, int]:
    with runtime_of().uow() as uow:
        handlers.upsert_regions(uow, [body])
        return jsonify(_region(handlers.get_region(uow, body.code))), 201


@api.post(
    "/regions/import", tags=[regions_tag], responses={200: ImportResult}, summary="Bulk import regions (all or nothing)"
)
@requires("operator")
def import_regions(body: RegionBulkIn) -> Response:
    with runtime_of().uow() as uow:
        return jsonify(handlers.upsert_regions(uow, body.regions))


@api.get("/regions", tags=[regions_tag], responses={200: RegionList}, summary="List and filter regions")
def list_regions(query: RegionQuery) -> Response:
    with runtime_of().uow() as uow:
        regions = handlers.list_regions(uow, query.kind, query.province, query.q)
        return jsonify(items=[_region(r) for r in regions], total=len(regions))


@api.get("/regions/<code>", tags=[regions_tag], responses={200: RegionOut}, summary="One region")
def get_region(path: RegionPath) -> Response:
    with runtime_of().uow() as uow:
        return jsonify(_region(handlers.get_region(uow, path.code)))


@api.put(
    "/regions/<code>/officials",
    tags=[regions_tag],
    responses={200: OfficialsOut},
    summary="Replace the region's current officials (changes are kept as history)",
)
@requires("operator", "region", region_arg="code")
def put_officials(path: RegionPath, body: OfficialsIn) -> Response:
    with runtime_of().uow() as uow:
        officials = handlers.replace_officials(uow, path.code, body.officials, current_principal())
        return jsonify(_officials(path.code, officials))


@api.get(
    "/regions/<code>/officials",
    tags=[regions_tag],
    responses={200: OfficialsOut},
    summary="The region's officials, most senior first; ?role= filters",
)
@requires(*STAFF, "region", region_arg="code")
def get_officials(path: RegionPath, query: OfficialsQuery) -> Response:
    with runtime_of().uow() as uow:
        officials = handlers.current_officials(uow, path.code, query.role, query.history)
        return jsonify(_officials(path.code, officials))


@api.post("/cohorts", tags=[cohorts_tag], responses={201: CohortOut}, summary="Open a cohort")
@requires("operator")
def create_cohort(body: CohortIn) -> tuple[Response, int]:
    with runtime_of().uow() as uow:
        cohort = handlers.create_cohort(uow, body)
        return jsonify(_cohort(cohort, 0)), 201


@api.get("/cohorts/<int:year>", tags=[cohorts_tag], responses={200: CohortOut}, summary="One cohort")
def get_cohort(path: YearPath) -> Response:
    with runtime_of().uow() as uow:
        cohort = handlers.get_cohort(uow, path.year)
        return jsonify(_cohort(cohort, handlers.count_applications(uow, path.year)))


@api.post(
    "/cohorts/<int:year>/applications",
    tags=[cohorts_tag],
    responses={201: ApplicationOut},
    summary="A region applies to the cohort",
)
@requires("operator", "region")
def submit_application(path: YearPath, body: ApplicationIn) -> tuple[Response, int]:
    with runtime_of().uow() as uow:
        application = handlers.submit_application(uow, path.year, body.region_code, body.answers, current_principal())
        return jsonify(_application(application, handlers.get_region(uow, body.region_code))), 201


@api.get(
    "/cohorts/<int:year>/applications",
    tags=[cohorts_tag],
    responses={200: ApplicationList},
    summary="The cohort's applications",
)
@requires(*STAFF)
def list_applications(path: YearPath) -> Response:
    with runtime_of().uow() as uow:
        return jsonify(items=[_application(a, r) for a, r in handlers.list_applications(uow, path.year)])


@api.put(
    "/applications/<application_id>/scores",
    tags=[cohorts_tag],
    responses={200: ScoresOut},
    summary="An assessor scores the rubric's criteria (partial sheets allowed)",
)
@requires("assessor")
def put_scores(path: ApplicationPath, body: ScoresIn) -> Response:
    with runtime_of().uow() as uow:
        handlers.record_scores(uow, path.application_id, body.scores, current_principal())
        return jsonify(ScoresOut(**handlers.scores_view(uow, path.application_id)).model_dump(mode="json"))


@api.get(
    "/applications/<application_id>/scores",
    tags=[cohorts_tag],
    responses={200: ScoresOut},
    summary="Who scored what and when, and the combined total",
)
@requires("operator", "assessor")
def get_scores(path: ApplicationPath) -> Response:
    with runtime_of().uow() as uow:
        return jsonify(ScoresOut(**handlers.scores_view(uow, path.application_id)).model_dump(mode="json"))


@api.post(
    "/cohorts/<int:year>/selection",
    tags=[cohorts_tag],
    responses={200: RankingOut},
    summary="Rank, fill the quotas and finalise the cohort (idempotent)",
)
@requires("operator")
def run_selection(path: YearPath, body: SelectionIn) -> Response:
    with runtime_of().uow() as uow:
        handlers.run_selection(uow, path.year, force=body.force, reason=body.reason)
        return jsonify(handlers.ranking(uow, path.year))


@api.get(
    "/cohorts/<int:year>/ranking",
    tags=[cohorts_tag],
    responses={200: RankingOut},
    summary="Weighted totals ranked per kind, with the tie-break rule",
)
@requires(*STAFF)
def get_ranking(path: YearPath) -> Response:
    with runtime_of().uow() as uow:
        return jsonify(handlers.ranking(uow, path.year))
