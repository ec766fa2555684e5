"""The HTTP shell every service shares: OpenAPI, problem+json, auth, correlation ids, health and metrics."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import redis
from flask import Response, current_app, g, jsonify, request
from flask_openapi3 import Info, OpenAPI, Tag
from prometheus_client.registry import Collector
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from shared import schema_cache
from shared.auth import Principal, check_region, check_role, verify_token
from shared.changes import KeptAnswers
from shared.errors import CerdasError, Invalid, Unauthorized
from shared.logging import CORRELATION_HEADER, current_correlation_id, get_logger, set_correlation_id
from shared.metrics import ServiceMetrics
from shared.runtime import ServiceRuntime

log = get_logger(__name__)
F = TypeVar("F", bound=Callable[..., Any])
PROBLEM_BASE = "https://cerdas.example/problems/"
PROBLEM_JSON = "application/problem+json"
BEARER = [{"bearer": []}]


def requires(*roles: str, region_arg: str | None = None) -> Callable[[F], F]:
    """Mark a view: which roles may call it, and which URL argument holds a region code that a
    ``region`` token must match. Checked before the body is parsed."""

    def mark(view: F) -> F:
        view._cerdas_roles = roles  # type: ignore[attr-defined]
        view._cerdas_region_arg = region_arg  # type: ignore[attr-defined]
        return view

    return mark


def public(view: F) -> F:
    view._cerdas_public = True  # type: ignore[attr-defined]
    return view


def current_principal() -> Principal:
    principal = g.get("principal")
    if principal is None:
        raise Unauthorized("a bearer token is required")
    return principal


def conditional_json(body: bytes, etag: str) -> Response:
    """A serialised JSON body with its strong ETag, or 304 Not Modified when the client holds that version.
    ``no-cache`` makes clients revalidate every time: the data can change, the answer is just cheap."""
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


def json_answer(payload: Any) -> tuple[bytes, str]:
    """``payload`` serialised, with a strong ETag derived from its bytes."""
    body = current_app.json.dumps(payload).encode()
    return body, hashlib.blake2b(body, digest_size=12).hexdigest()


def kept_answers(topic: str) -> KeptAnswers:
    """This app's answers built from the data ``topic`` names, kept until a commit changes it
    (shared/changes.py)."""
    kept = current_app.extensions.setdefault("cerdas_kept_answers", {})
    if topic not in kept:
        kept[topic] = KeptAnswers(runtime_of().changes, topic)
    return kept[topic]


def problem(status: int, title: str, detail: str, slug: str, **extra: Any) -> Response:
    body = {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail}
    if request:
        body["instance"] = request.path
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    return response


def _validation_problem(exc: ValidationError) -> Response:
    errors = []
    for error in exc.errors(include_url=False, include_context=False, include_input=False):
        field = ".".join(str(part) for part in error["loc"]) or "body"
        errors.append({"field": field, "message": error["msg"], "type": error["type"]})
    if len(errors) == 1 and errors[0]["field"] == "body" and errors[0]["type"] in {"model_type", "dict_type"}:
        detail = "the request body must be a JSON object"
    else:
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(422, "Unprocessable content", detail, "validation", errors=errors)


def create_service_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    description: str,
    tags: list[Tag],
    collectors: Sequence[Collector] = (),
) -> OpenAPI:
    """The service's Flask app. ``collectors`` add service-specific gauges, read at scrape time."""
    schema_cache.install()
    app = OpenAPI(
        f"cerdas.{runtime.name}",
        info=Info(title=title, version="1.0.0", description=description),
        security_schemes={"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        validation_error_status=422,
        validation_error_callback=_validation_problem,
        doc_ui=False,
    )
    app.config["MAX_CONTENT_LENGTH"] = 32 * 1024 * 1024
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["cerdas"] = runtime
    app.extensions["cerdas_metrics"] = ServiceMetrics(runtime, collectors)
    _install_correlation_and_auth(app, runtime)
    _install_errors(app)
    _install_operational_routes(app, runtime)
    return app


def runtime_of() -> ServiceRuntime:
    return current_app.extensions["cerdas"]


def _install_correlation_and_auth(app: OpenAPI, runtime: ServiceRuntime) -> None:
    metrics: ServiceMetrics = app.extensions["cerdas_metrics"]

    @app.before_request
    def _begin() -> None:
        g.started = time.perf_counter()
        incoming = request.headers.get(CORRELATION_HEADER, "").strip()
        set_correlation_id(incoming[:64] if incoming else str(uuid.uuid4()))
        view = app.view_functions.get(request.endpoint or "")
        if view is None or getattr(view, "_cerdas_public", False):
            return
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("send 'Authorization: Bearer <token>' (mint one with `cerdas token`)")
        settings = runtime.settings
        principal = verify_token(settings.jwt_secret, token.strip(), runtime.clock.now(), settings.jwt_previous_secret)
        g.principal = principal
        roles = getattr(view, "_cerdas_roles", None)
        if roles:
            check_role(principal, roles)
        region_arg = getattr(view, "_cerdas_region_arg", None)
        if region_arg and request.view_args and region_arg in request.view_args:
            check_region(principal, str(request.view_args[region_arg]))
        _refuse_nul_characters()

    @app.after_request
    def _finish(response: Response) -> Response:
        correlation_id = current_correlation_id()
        if correlation_id:
            response.headers[CORRELATION_HEADER] = correlation_id
        route = request.url_rule.rule if request.url_rule else "unmatched"
        metrics.observe(request.method, route, response.status_code, time.perf_counter() - g.get("started", 0))
        if route not in {"/health", "/metrics"}:
            log.info("request", method=request.method, path=request.path, status=response.status_code)
        return response


def _refuse_nul_characters() -> None:
    """PostgreSQL cannot store NUL in text, and no Cerdas value needs one: refuse it up front with a
    422 naming where it was, rather than failing deep in a transaction."""
    form = request.form.items(multi=True) if request.mimetype == "multipart/form-data" else []
    for name, value in [*(request.view_args or {}).items(), *request.args.items(multi=True), *form]:
        if "\x00" in str(value):
            raise Invalid(f"{name} contains a NUL character", field=name)
    if request.is_json:
        body = request.get_data(cache=True)
        if b"\x00" in body or b"\\u0000" in body:
            raise Invalid("the JSON body contains a NUL character (\\u0000)", field="body")


def _install_errors(app: OpenAPI) -> None:
    @app.errorhandler(CerdasError)
    def _domain_error(exc: CerdasError) -> Response:
        return problem(exc.status, exc.title, exc.detail, exc.slug, **exc.extra)

    @app.errorhandler(ValidationError)
    def _model_error(exc: ValidationError) -> Response:
        return _validation_problem(exc)

    @app.errorhandler(IntegrityError)
    def _concurrent_change(exc: IntegrityError) -> Response:
        # Checks run before writing, so a constraint caught here means another request changed the
        # same thing at the same moment: a conflict to retry, not a server fault.
        log.warning("constraint refused a write", error=str(exc.orig)[:300])
        return problem(
            409,
            "Conflict",
            "another change to the same record was made at the same moment; fetch the current state and retry",
            "conflict",
        )

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        if exc.response is not None and exc.response.mimetype == PROBLEM_JSON:
            return exc.response  # an aborted validation problem from flask-openapi3
        status = exc.code or 500
        return problem(status, exc.name, exc.description or exc.name, f"http-{status}")

    @app.errorhandler(RecursionError)
    def _too_deep(exc: RecursionError) -> Response:
        # Python's JSON parser recurses once per level; a body nested thousands deep is refused, not a 500.
        return problem(400, "Bad request", "the JSON body is nested too deeply to be read", "nested-too-deeply")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error")
        return problem(500, "Internal error", "an unexpected error occurred; it has been logged", "internal")


def _install_operational_routes(app: OpenAPI, runtime: ServiceRuntime) -> None:
    from shared.dead_letter_routes import install_dead_letter_routes

    ops = Tag(name="operations", description="Liveness, readiness, metrics and this document")

    @app.get("/health", tags=[ops], summary="The process is alive")
    @public
    def health() -> Response:
        return jsonify(status="ok", service=runtime.name)

    @app.get("/ready", tags=[ops], summary="The database and the broker answer")
    @public
    def ready() -> tuple[Response, int]:
        checks = {"database": _check_database(runtime), "broker": _check_broker(runtime)}
        healthy = all(value == "ok" for value in checks.values())
        return jsonify(status="ready" if healthy else "unavailable", checks=checks), 200 if healthy else 503

    @app.get("/openapi.json", tags=[ops], summary="This OpenAPI document")
    @public
    def openapi_document() -> Response:
        return jsonify(app.api_doc)

    install_dead_letter_routes(app, runtime, ops)

    @app.get("/metrics", tags=[ops], summary="Prometheus metrics")
    @public
    def metrics() -> Response:
        body, content_type = app.extensions["cerdas_metrics"].exposition(request.headers.get("Accept"))
        # content_type, not mimetype: the exposition type already names its charset, and Flask would add another.
        return Response(body, content_type=content_type)


def _check_database(runtime: ServiceRuntime) -> str:
    try:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # report, never raise, from a readiness probe
        return f"error: {exc.__class__.__name__}"


def _check_broker(runtime: ServiceRuntime) -> str:
    try:
        client = redis.Redis.from_url(runtime.settings.broker_url, socket_timeout=1, socket_connect_timeout=1)
        client.ping()
        client.close()
        return "ok"
    except Exception as exc:  # report, never raise, from a readiness probe
        return f"error: {exc.__class__.__name__}"
