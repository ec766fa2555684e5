"""`cerdas status` tells an operator what is up, what is down and what is waiting."""

import json
import threading
from dataclasses import replace

import pytest
from werkzeug.serving import make_server

from services.assessment.app import create_app
from shared.messaging.dead_letters import dead_letter_key
from shared.status import collect_status, render
from tests.support.infra import free_port


@pytest.fixture
def assessment_served(make_runtime):
    port = free_port()
    server = make_server("127.0.0.1", port, create_app(make_runtime("assessment")), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


def test_status_reports_ready_and_unreachable_services_queues_and_dead_letters(
    settings, assessment_served, redis_client
):
    nowhere = f"http://127.0.0.1:{free_port()}"
    urls = {"assessment": assessment_served, "mou": nowhere, "mentoring": nowhere, "notifications": nowhere}
    redis_client.rpush("mou", "x", "y")
    redis_client.rpush(dead_letter_key("notifications"), "{}")
    status = collect_status(replace(settings, service_urls=urls), timeout=1.0)
    by_name = {s.name: s for s in status.services}
    assert by_name["assessment"].ready and by_name["assessment"].checks == {"database": "ok", "broker": "ok"}
    assert by_name["assessment"].outbox_unpublished == 0
    assert not by_name["mou"].ready and "ConnectionError" in by_name["mou"].error
    assert status.queues["mou"] == 2 and status.dead_letters["notifications"] == 1
    assert not status.healthy
    text = render(status)
    assert "NOT healthy" in text and "assessment     yes" in text


def test_the_status_command_exits_non_zero_when_something_is_down(settings, redis_url, monkeypatch, capsys):
    from services.cli import main

    monkeypatch.setenv("CERDAS_BROKER_URL", redis_url)
    for name in ("assessment", "mou", "mentoring", "notifications"):
        monkeypatch.setenv(f"CERDAS_{name.upper()}_URL", f"http://127.0.0.1:{free_port()}")
    assert main(["status", "--json", "--timeout", "0.5"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["healthy"] is False and len(report["services"]) == 4
