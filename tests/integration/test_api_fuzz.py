"""Generated requests from each service's own OpenAPI document never produce a server error."""

import importlib
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.conftest import auth

SERVICE_NAMES = ("assessment", "mou", "mentoring", "notifications")
# A quick pass in every run; set CERDAS_FUZZ_EXAMPLES=200 for a deeper hunt.
EXAMPLES = int(os.environ.get("CERDAS_FUZZ_EXAMPLES", "12"))


@pytest.mark.timeout(600)
@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_generated_requests_never_meet_a_server_error(service, make_runtime):
    runtime = make_runtime(service)
    app = importlib.import_module(f"services.{service}.app").create_app(runtime)
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    headers = auth("operator")
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            case.headers = {**(case.headers or {}), **headers}  # a valid token, to get past the door
            response = case.call()
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} {case.body!r}: {response.status_code} {response.text}"
            )
            if response.status_code >= 400:
                content_type = {k.lower(): v for k, v in response.headers.items()}.get("content-type")
                content_type = content_type[0] if isinstance(content_type, list) else content_type
                assert (content_type or "").startswith("application/problem+json"), response.text

        check()
        checked += 1
    assert checked >= 4
