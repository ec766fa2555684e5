"""The API routes the console's pages needed: a region finds its own application and its emails, an operator
resends a failed email and sees and replays dead letters over HTTP."""

from __future__ import annotations

import importlib
import uuid
from datetime import UTC, datetime

import pytest

from services.notifications.orm import Delivery
from shared.messaging.dead_letters import DeadLetters
from tests.conftest import auth
from tests.support.assessment import DURING_WINDOW, apply, import_register, open_cohort
from tests.support.celery_messages import queued_envelopes


def _client(make_runtime, service):  # noqa: ANN001, ANN202
    runtime = make_runtime(service)
    return runtime, importlib.import_module(f"services.{service}.app").create_app(runtime).test_client()


def test_a_region_lists_only_its_own_application(make_runtime, clock):
    runtime, client = _client(make_runtime, "assessment")
    import_register(runtime)
    clock.set(DURING_WINDOW)
    open_cohort(client)
    mine = apply(client, "12.01")
    apply(client, "72.71")
    listed = client.get("/cohorts/2023/applications", headers=auth("region", region="12.01"))
    assert [a["id"] for a in listed.get_json()["items"]] == [mine["id"]]
    assert (
        client.get("/cohorts/2023/applications?region=72.71", headers=auth("region", region="12.01")).status_code == 403
    )
    staff = client.get("/cohorts/2023/applications?region=72.71", headers=auth("assessor")).get_json()["items"]
    assert [a["region_code"] for a in staff] == ["72.71"]


def _delivery(runtime, region: str, status: str) -> str:  # noqa: ANN001
    now = datetime.now(UTC)
    delivery = Delivery(
        id=str(uuid.uuid4()),
        dedupe_key=f"test:{uuid.uuid4()}",
        region_code=region,
        kind="notice",
        recipient=f"kominfo@{region.replace('.', '-')}.example",
        recipient_name="Kepala Dinas Kominfo",
        recipient_role="kominfo_head",
        subject="[Cerdas] Uji",
        message_id=f"<{uuid.uuid4()}@cerdas.example>",
        payload={},
        status=status,
        attempts=8,
        next_attempt_at=now,
        last_error="550 5.2.2 mailbox full",
        created_at=now,
    )
    with runtime.session_factory() as session:
        session.add(delivery)
        session.commit()
    return delivery.id


def test_a_region_reads_its_own_emails_and_an_operator_resends_a_failed_one(make_runtime):
    runtime, client = _client(make_runtime, "notifications")
    failed = _delivery(runtime, "12.01", "failed")
    sent = _delivery(runtime, "72.71", "sent")
    own = client.get("/deliveries", headers=auth("region", region="12.01")).get_json()["items"]
    assert [d["id"] for d in own] == [failed]
    assert client.get("/deliveries?region=72.71", headers=auth("region", region="12.01")).status_code == 403

    assert client.post(f"/deliveries/{failed}/resend", headers=auth("mentor")).status_code == 403
    resent = client.post(f"/deliveries/{failed}/resend", headers=auth("operator", sub="ani"))
    assert resent.status_code == 200, resent.get_json()
    body = resent.get_json()
    assert (body["status"], body["attempts"]) == ("pending", 0)
    assert body["last_error"].startswith("resent by ani; previously: 550")
    again = client.post(f"/deliveries/{failed}/resend", headers=auth("operator"))
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    assert client.post(f"/deliveries/{sent}/resend", headers=auth("operator")).status_code == 409
    assert client.post(f"/deliveries/{uuid.uuid4()}/resend", headers=auth("operator")).status_code == 404


@pytest.mark.parametrize("service", ["mou", "notifications"])
def test_dead_letters_are_listed_and_replayed_over_http_by_an_operator(make_runtime, redis_client, service):
    _runtime, client = _client(make_runtime, service)
    envelope = {"id": str(uuid.uuid4()), "type": "mou.signed", "subject": "12.01", "data": {"personal": "kept"}}
    DeadLetters(redis_client).park(service, envelope, "RuntimeError('boom')", 51, datetime(2023, 3, 1, tzinfo=UTC))
    assert client.get("/dead-letters", headers=auth("assessor")).status_code == 403
    listed = client.get("/dead-letters", headers=auth("operator")).get_json()
    assert listed["queue"] == service and listed["total"] == 1
    [item] = listed["items"]
    assert (item["type"], item["event_id"], item["attempts"]) == ("mou.signed", envelope["id"], 51)
    assert "data" not in item, "the envelope's content stays in Redis"
    replayed = client.post("/dead-letters/replay", headers=auth("operator")).get_json()
    assert replayed == {"queue": service, "replayed": 1}
    assert [e["id"] for e in queued_envelopes(redis_client, service)] == [envelope["id"]]
    assert client.get("/dead-letters", headers=auth("operator")).get_json()["total"] == 0
