"""Routes for the region register and each region's officials."""

from __future__ import annotations

from flask import Response, current_app, jsonify

from services.assessment import commands, handlers, repository, views
from services.assessment.api.common import (
    STAFF,
    RegisterCache,
    api,
    officials_json,
    region_json,
    regions_tag,
)
from services.assessment.domain import OfficialRecord
from services.assessment.register import record
from services.assessment.schemas import (
    ImportResult,
    OfficialsIn,
    OfficialsOut,
    OfficialsQuery,
    RegionBulkIn,
    RegionIn,
    RegionList,
    RegionOut,
    RegionPath,
    RegionQuery,
)
from shared.web import conditional_json, current_principal, kept_answers, requires, runtime_of


@api.post("/regions", tags=[regions_tag], responses={201: RegionOut}, summary="Register or update one region")
@requires("operator")
def create_region(body: RegionIn) -> tuple[Response, int]:
    with runtime_of().uow() as uow:
        handlers.import_regions(uow, commands.ImportRegions((record(body),)))
        answer = region_json(repository.get_region(uow, body.code))
        uow.commit()
        return jsonify(answer), 201


@api.post(
    "/regions/import", tags=[regions_tag], responses={200: ImportResult}, summary="Bulk import regions (all or nothing)"
)
@requires("operator")
def import_regions(body: RegionBulkIn) -> Response:
    with runtime_of().uow() as uow:
        counts = handlers.import_regions(uow, commands.ImportRegions(tuple(record(r) for r in body.regions)))
        uow.commit()
        return jsonify(counts)


@api.get("/regions", tags=[regions_tag], responses={200: RegionList}, summary="List and filter regions")
def list_regions(query: RegionQuery) -> Response:
    """The register changes a few times a year and is read on every screen and by every service: the
    serialised list is kept per process until PostgreSQL says the regions changed (no query at all), and
    else per register revision (one one-row query); a client that sends back the ETag gets 304."""
    key = (query.kind, query.province, query.q)
    return conditional_json(*kept_answers("register").get(key, lambda: _register_answer(key)))


def _register_answer(key: tuple[str | None, str | None, str | None]) -> tuple[bytes, str]:
    cache = current_app.extensions.setdefault("cerdas_register_cache", RegisterCache())
    with runtime_of().reader() as uow:
        revision = views.register_revision(uow)
        cached = cache.get(revision, key)
        if cached is None:
            regions = views.region_rows(uow, *key)
            body = current_app.json.dumps({"items": regions, "total": len(regions)}).encode()
            cached = cache.put(revision, key, body)
    return cached


@api.get("/regions/<code>", tags=[regions_tag], responses={200: RegionOut}, summary="One region")
def get_region(path: RegionPath) -> Response:
    with runtime_of().reader() as uow:
        return jsonify(region_json(repository.get_region(uow, path.code)))


@api.put(
    "/regions/<code>/officials",
    tags=[regions_tag],
    responses={200: OfficialsOut},
    summary="Replace the region's current officials (changes are kept as history)",
)
@requires("operator", "region", region_arg="code")
def put_officials(path: RegionPath, body: OfficialsIn) -> Response:
    runtime = runtime_of()
    command = commands.ReplaceOfficials(
        region_code=path.code,
        officials=tuple(
            OfficialRecord(o.role, o.name, str(o.email), o.title, o.position, o.acting, o.valid_from)
            for o in body.officials
        ),
        actor=current_principal(),
        allowed_roles=views.official_roles(runtime.settings.assessment.extra_official_roles),
    )
    with runtime.uow() as uow:
        handlers.replace_officials(uow, command)
        # Serialised inside the transaction, from what is being committed: no second transaction to read it.
        answer = officials_json(path.code, views.current_officials(uow, path.code, None))
        uow.commit()
        return jsonify(answer)


@api.get(
    "/regions/<code>/officials",
    tags=[regions_tag],
    responses={200: OfficialsOut},
    summary="The region's officials, most senior first; ?role= filters",
)
@requires(*STAFF, "region", region_arg="code")
def get_officials(path: RegionPath, query: OfficialsQuery) -> Response:
    with runtime_of().reader() as uow:
        officials = views.current_officials(uow, path.code, query.role, query.history)
        return jsonify(officials_json(path.code, officials))
