"""What every HTTP service shares: health, readiness, OpenAPI, metrics, problem+json, auth, correlation."""

import json
import logging

import pytest
from openapi_spec_validator import validate

from shared.config import SERVICES
from tests.conftest import auth


@pytest.fixture(params=SERVICES)
def client(request, make_runtime):
    import importlib

    runtime = make_runtime(request.param)
    app = importlib.import_module(f"services.{request.param}.app").create_app(runtime)
    return app.test_client()


def test_health_and_readiness(client):
    assert client.get("/health").json["status"] == "ok"
    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json["checks"] == {"database": "ok", "broker": "ok"}


def test_the_openapi_document_is_valid_and_secured(client):
    document = client.get("/openapi.json").json
    validate(document)
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    operations = [op for path in document["paths"].values() for op in path.values()]
    public = {"/health", "/ready", "/openapi.json", "/metrics"}
    for path, item in document["paths"].items():
        for operation in item.values():
            if path not in public:
                assert operation.get("security") == [{"bearer": []}], path
    assert len(operations) > 4


def test_metrics_count_requests_and_pending_outbox_rows(client):
    client.get("/health")
    body = client.get("/metrics").data.decode()
    assert 'cerdas_http_requests_total{method="GET",route="/health"' in body
    assert "cerdas_outbox_unpublished" in body


def test_every_response_carries_a_correlation_id(client):
    given = client.get("/health", headers={"X-Correlation-ID": "abc-123"})
    assert given.headers["X-Correlation-ID"] == "abc-123"
    made = client.get("/health").headers["X-Correlation-ID"]
    assert len(made) == 36


def test_missing_and_bad_tokens_are_401_problems(client):
    document = client.get("/openapi.json").json
    path = next(
        p
        for p in document["paths"]
        if p not in {"/health", "/ready", "/openapi.json", "/metrics"}
        and "{" not in p
        and "get" in document["paths"][p]
    )
    missing = client.get(path)
    assert missing.status_code == 401 and missing.mimetype == "application/problem+json"
    assert "Bearer" in missing.json["detail"]
    bad = client.get(path, headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401 and bad.json["title"] == "Unauthorized"


def test_unknown_routes_are_404_problems(client):
    response = client.get("/no/such/thing", headers=auth("operator"))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 404


def test_validation_errors_name_the_field(make_runtime):
    from services.assessment.app import create_app

    client = create_app(make_runtime("assessment")).test_client()
    response = client.post(
        "/regions",
        headers=auth("operator"),
        json={
            "code": "12.01",
            "name": "Kabupaten Tapanuli Tengah",
            "kind": "regency",
            "province_code": "12",
            "timezone": "Asia/Jakarta",
        },
    )
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert [e["field"] for e in response.json["errors"]] == ["kind"]
    not_json = client.post("/regions", headers=auth("operator"), data="code=12")
    assert not_json.status_code == 422 and not_json.json["detail"] == "the request body must be a JSON object"


def test_wrong_role_is_403_before_the_body_is_read(make_runtime):
    from services.assessment.app import create_app

    client = create_app(make_runtime("assessment")).test_client()
    response = client.post("/regions", headers=auth("mentor"), data="not even json")
    assert response.status_code == 403
    assert "role 'mentor' may not" in response.json["detail"]


def test_request_logs_are_json_with_the_correlation_id(make_runtime, capsys):
    from services.assessment.app import create_app

    client = create_app(make_runtime("assessment")).test_client()
    client.get("/regions", headers={**auth("operator"), "X-Correlation-ID": "trace-me"})
    logging.getLogger().handlers[0].flush()
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    request_lines = [line for line in lines if line.get("event") == "request"]
    assert request_lines and request_lines[-1]["correlation_id"] == "trace-me"
    assert request_lines[-1]["service"] == "assessment" and request_lines[-1]["path"] == "/regions"


def test_nul_characters_are_refused_before_they_reach_the_database(make_runtime):
    from services.assessment.app import create_app

    client = create_app(make_runtime("assessment")).test_client()
    body = client.post(
        "/regions",
        headers=auth("operator"),
        json={"code": "12", "name": "Sumatera\u0000Utara", "kind": "provinsi", "timezone": "Asia/Jakarta"},
    )
    assert body.status_code == 422 and body.json["errors"][0]["field"] == "body"
    query = client.get("/regions?q=abc%00", headers=auth("operator"))
    assert query.status_code == 422 and query.json["errors"][0]["field"] == "q"
    assert client.get("/regions?q=Tapanuli", headers=auth("operator")).status_code == 200


def test_metrics_show_dead_letters_and_notification_states(make_runtime, redis_client):
    from datetime import timedelta

    from services.notifications.app import create_app
    from services.notifications.orm import Deadline, Reminder
    from shared.messaging.dead_letters import dead_letter_key

    runtime = make_runtime("notifications")
    redis_client.rpush(dead_letter_key("notifications"), "{}", "{}")
    now = runtime.clock.now()
    with runtime.session_factory() as session:
        session.add(
            Deadline(
                id="d-1",
                region_code="12.01",
                timezone="Asia/Jakarta",
                kind="k",
                title="t",
                due_at=now,
                audience=["kominfo_head"],
                status="active",
                source="mentoring",
                generation=1,
                last_event_at=now,
                updated_at=now,
            )
        )
        session.flush()
        session.add(
            Reminder(
                id="r-1",
                deadline_id="d-1",
                generation=1,
                kind="on_day",
                step=0,
                due_at=now - timedelta(hours=1),
                status="pending",
            )
        )
        session.commit()
    body = create_app(runtime).test_client().get("/metrics").data.decode()
    assert 'cerdas_dead_letters{queue="notifications"} 2.0' in body
    assert 'cerdas_deliveries{status="sent"} 0.0' in body
    assert "cerdas_reminders_late 1.0" in body
