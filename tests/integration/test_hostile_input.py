"""Hostile or broken input is answered in problem+json with a 4xx, never a 500, at every layer."""

from __future__ import annotations

import socket

import pytest
import requests

from services.assessment.app import create_app
from tests.conftest import auth
from tests.support import infra
from tests.support.processes import Honcho


@pytest.fixture
def assessment_client(make_runtime):
    return create_app(make_runtime("assessment")).test_client()


def test_json_nested_a_hundred_thousand_deep_is_a_400_not_a_500(assessment_client):
    body = "[" * 100_000 + "]" * 100_000
    response = assessment_client.post(
        "/regions", data=body, headers={**auth("operator"), "Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.get_data(as_text=True)[:200]
    assert response.mimetype == "application/problem+json"
    assert "nested too deeply" in response.get_json()["detail"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("assessment_due_at", "9999-12-31T23:59:59Z"),
        ("assessment_due_at", "9999-12-31T23:59:59-12:00"),
        ("applications_open_at", "0001-01-01T00:00:00+14:00"),
    ],
)
def test_instants_outside_the_programme_years_are_refused_at_the_edge(assessment_client, field, value):
    body = {
        "year": 2023,
        "quotas": {"provinsi": 2, "kabkota": 50},
        "applications_open_at": "2022-06-01T00:00:00+07:00",
        "applications_close_at": "2022-07-31T23:59:59+07:00",
        "assessment_due_at": "2022-10-31T23:59:59+07:00",
        field: value,
    }
    response = assessment_client.post("/cohorts", json=body, headers=auth("operator"))
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"][0]["field"] == field


@pytest.fixture
def assessment_web(database_urls, redis_url, tmp_path):
    port = infra.free_port()
    env = infra.test_env(database_urls, redis_url, tmp_path, CERDAS_ASSESSMENT_PORT=str(port))
    honcho = Honcho(env, ("assessment",), tmp_path / "honcho.log")
    honcho.start()
    try:
        honcho.wait_ready({"assessment": f"http://127.0.0.1:{port}"})
        yield port
    finally:
        honcho.stop()


def _raw(port: int, request: bytes) -> tuple[str, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return lines[0], {k.lower(): v for k, v in headers.items()}, body


@pytest.mark.timeout(120)
def test_gunicorn_own_refusals_are_problem_json_too(assessment_web):
    port = assessment_web
    status, headers, body = _raw(port, b"GET /regions?q=" + b"x" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status.split(" ")[1] == "414", status
    assert headers["content-type"] == "application/problem+json"
    assert requests.models.complexjson.loads(body)["status"] == 414
    status, headers, body = _raw(port, b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"y" * 20000 + b"\r\n\r\n")
    assert status.split(" ")[1] in {"400", "431"}, status
    assert headers["content-type"] == "application/problem+json"


def test_a_signing_in_the_year_9999_is_refused_at_the_edge(make_runtime):
    from services.mou.app import create_app as mou_app
    from tests.support.mou import dirjen, draft, representative

    mou = make_runtime("mou")
    agreement = draft(mou)
    body = {"signed_at": "9999-12-31T23:59:59-12:00", "signatories": [representative(), dirjen()]}
    response = mou_app(mou).test_client().post(f"/agreements/{agreement}/sign", json=body, headers=auth("operator"))
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"][0]["field"] == "signed_at"


def test_a_milestone_moved_to_the_year_9999_is_refused_at_the_edge(make_runtime):
    from services.mentoring.app import create_app as mentoring_app
    from tests.support.mentoring import start_programme

    mentoring = make_runtime("mentoring")
    programme_id = start_programme(mentoring)
    client = mentoring_app(mentoring).test_client()
    programme = client.get(f"/programmes/{programme_id}", headers=auth("operator")).get_json()
    milestone = programme["stages"][0]["milestones"][0]["id"]
    response = client.patch(f"/milestones/{milestone}", json={"due_date": "9999-12-30"}, headers=auth("operator"))
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"][0]["field"] == "due_date"


def test_a_deliverable_s_hostile_file_name_becomes_a_safe_display_name(make_runtime):
    import io

    from services.mentoring.app import create_app as mentoring_app
    from tests.support.mentoring import start_programme

    mentoring = make_runtime("mentoring")
    programme_id = start_programme(mentoring)
    client = mentoring_app(mentoring).test_client()
    programme = client.get(f"/programmes/{programme_id}", headers=auth("operator")).get_json()
    milestone = programme["stages"][0]["milestones"][0]["id"]
    name = "../../../../tmp/" + "x" * 3000 + ".pdf"
    response = client.post(
        f"/milestones/{milestone}/submissions",
        data={"file": (io.BytesIO(b"%PDF-1.7 SK Dewan Smart City"), name)},
        headers=auth("region", region=programme["region_code"]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    stored = response.get_json()["file"]["filename"]
    assert "/" not in stored and ".." not in stored and len(stored) <= 200 and stored.endswith(".pdf")
