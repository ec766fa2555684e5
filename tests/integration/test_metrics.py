"""/metrics under gunicorn adds up every worker; workers, queues, outbox and deliveries are exported;
the dashboard and alert rules under deploy/observability name only metrics a service exports."""

from __future__ import annotations

import importlib
import json
import os
import re
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import yaml
from celery.contrib.testing.worker import start_worker
from prometheus_client.parser import text_string_to_metric_families

from shared.config import SERVICES
from tests.support import infra
from tests.support.mou import region_selected
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
OBSERVABILITY = ROOT / "deploy" / "observability"
DASHBOARD = OBSERVABILITY / "grafana" / "cerdas.json"
ALERTS = OBSERVABILITY / "prometheus" / "alerts.yml"
SUFFIXES = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_sum", "_count", "_created"), "gauge": ()}


def _families(body: str) -> dict[str, str]:
    return {family.name: family.type for family in text_string_to_metric_families(body)}


def _exported_names(body: str) -> set[str]:
    """Every series name a PromQL expression could use for this exposition."""
    names = set()
    for name, kind in _families(body).items():
        names.add(name)
        names.update(name + suffix for suffix in SUFFIXES.get(kind, ()))
    return names


def _sample(body: str, name: str, **labels: str) -> float | None:
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return None


def _app(make_runtime, service: str):  # noqa: ANN202
    runtime = make_runtime(service)
    return runtime, importlib.import_module(f"services.{service}.app").create_app(runtime)


# -- exposition -----------------------------------------------------------------------------------


def test_content_type_names_its_charset_once(make_runtime):
    _, app = _app(make_runtime, "assessment")
    response = app.test_client().get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    openmetrics = app.test_client().get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    assert openmetrics.headers["Content-Type"].count("charset") == 1
    assert openmetrics.data.decode().rstrip().endswith("# EOF")


def test_outbox_backlog_and_its_age(make_runtime, clock):
    runtime, app = _app(make_runtime, "assessment")
    with runtime.uow() as uow:
        uow.record("assessment.region_selected", "12.01", region_selected())
        uow.commit(publish=False)  # as if the process died between commit and publish
    clock.advance(timedelta(minutes=5))
    body = app.test_client().get("/metrics").data.decode()
    assert _sample(body, "cerdas_outbox_unpublished", service="assessment") == 1
    assert _sample(body, "cerdas_outbox_oldest_unpublished_seconds", service="assessment") == 300


@pytest.mark.timeout(120)
def test_worker_heartbeat_task_counts_and_queue_depth(make_runtime, redis_client):
    from shared.routing import sweep_task_name

    runtime, app = _app(make_runtime, "mou")
    client = app.test_client()
    runtime.celery.send_task(sweep_task_name("mou"), queue="mou")
    runtime.celery.send_task(sweep_task_name("mou"), queue="mou")
    assert _sample(client.get("/metrics").data.decode(), "cerdas_queue_messages", queue="mou") == 2
    assert _sample(client.get("/metrics").data.decode(), "cerdas_workers", queue="mou") == 0

    def finished() -> float:
        body = client.get("/metrics").data.decode()
        return (
            _sample(body, "cerdas_worker_tasks_total", queue="mou", task=sweep_task_name("mou"), state="success") or 0
        )

    with start_worker(runtime.celery, pool="threads", perform_ping_check=False, queues=["mou"], shutdown_timeout=30):
        assert wait_until(lambda: finished() == 2, timeout=60)
        body = client.get("/metrics").data.decode()
        assert _sample(body, "cerdas_workers", queue="mou") == 1
        assert _sample(body, "cerdas_queue_messages", queue="mou") == 0
        assert _sample(body, "cerdas_worker_task_seconds_total", queue="mou", task=sweep_task_name("mou")) > 0
    # A worker that stopped cleanly takes itself off the list at once.
    assert _sample(client.get("/metrics").data.decode(), "cerdas_workers", queue="mou") == 0


# -- gunicorn's multiprocess mode ------------------------------------------------------------------


@pytest.fixture
def gunicorn_assessment(database_urls, redis_url, tmp_path, make_runtime):
    make_runtime("assessment")  # empties its tables
    port = infra.free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CERDAS_", "PROMETHEUS_"))},
        **infra.test_env(database_urls, redis_url, tmp_path),
        "CERDAS_WEB_CONCURRENCY": "3",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    # What a killed gunicorn leaves behind: it must not count in the next one's totals (nor break them).
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "counter_1.db").write_bytes(b"left by an earlier run")
    control = tmp_path / "run" / "assessment.ctl"
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "deploy/gunicorn.conf.py",
            "--control-socket",
            str(control),
            "-b",
            f"127.0.0.1:{port}",
            "services.assessment.app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return requests.get(f"{url}/health", timeout=1).status_code == 200
        except requests.RequestException:
            return process.poll() is not None

    try:
        assert wait_until(up, timeout=60) and process.poll() is None, (tmp_path / "gunicorn.log").read_text()
        yield url, control
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


@pytest.mark.timeout(180)
def test_counts_add_up_across_gunicorn_workers(gunicorn_assessment):
    url, control = gunicorn_assessment
    before = _sample(requests.get(f"{url}/metrics", timeout=5).text, "cerdas_http_requests_total", route="/health")
    for _ in range(30):
        # A new connection each time, so the requests spread over the three workers.
        response = requests.get(f"{url}/health", headers={"Connection": "close"}, timeout=5)
        assert response.status_code == 200
    for _ in range(12):
        scrape = requests.get(f"{url}/metrics", headers={"Connection": "close"}, timeout=5)
        assert scrape.status_code == 200, scrape.text
        assert scrape.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
        assert _sample(scrape.text, "cerdas_http_requests_total", route="/health", status="200") == before + 30
        assert _sample(scrape.text, "cerdas_http_request_seconds_count", route="/health") == before + 30
        assert _sample(scrape.text, "cerdas_outbox_unpublished", service="assessment") == 0
    assert control.exists(), "gunicorn listens on the control socket it was given"


# -- dashboard and alert rules ---------------------------------------------------------------------


def _expressions() -> list[tuple[str, str]]:
    found = []
    dashboard = json.loads(DASHBOARD.read_text())
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            found.append((f"dashboard panel {panel['title']!r}", target["expr"]))
    for group in yaml.safe_load(ALERTS.read_text())["groups"]:
        for rule in group["rules"]:
            found.append((f"alert {rule.get('alert') or rule.get('record')}", rule["expr"]))
    return found


def test_alert_rules_are_well_formed():
    rules = [rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]]
    guide = (ROOT / "docs" / "operations.md").read_text()
    anchors = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-") for h in re.findall(r"^#+ (.+)$", guide, re.M)}
    names = {rule["alert"] for rule in rules}
    for wanted in ("CerdasReminderScanLate", "CerdasDeadLetters", "CerdasOutboxBacklog", "CerdasSmtpFailures"):
        assert wanted in names
    for rule in rules:
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations", "keep_firing_for"}, rule["alert"]
        assert rule["labels"]["severity"] in {"page", "ticket"}, rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["runbook"].startswith("docs/operations.md#")
        assert rule["annotations"]["runbook"].partition("#")[2] in anchors, rule["annotations"]["runbook"]
        assert re.fullmatch(r"\d+[smh]", rule.get("for", "0s")), rule["alert"]
        assert rule["expr"].count("(") == rule["expr"].count(")"), rule["alert"]


def test_dashboard_and_alerts_name_only_exported_metrics(make_runtime, clock):
    exported: set[str] = set()
    for service in SERVICES:
        _, app = _app(make_runtime, service)
        client = app.test_client()
        client.get("/health")
        exported |= _exported_names(client.get("/metrics").data.decode())
    missing = []
    for where, expr in _expressions():
        for name in set(re.findall(r"\bcerdas_[a-z0-9_]+", expr)):
            if name not in exported:
                missing.append(f"{where}: {name}")
    assert not missing, "named but not exported:\n" + "\n".join(sorted(missing))


def test_deliveries_overdue_and_the_oldest_unsent(make_runtime, clock):
    from services.notifications.orm import Delivery

    runtime, app = _app(make_runtime, "notifications")
    now = clock.now()

    def delivery(key: str, status: str, created_hours_ago: int, next_attempt_hours_ago: int) -> Delivery:
        return Delivery(
            id=key,
            dedupe_key=key,
            region_code="12.01",
            kind="notice",
            recipient=f"{key}@tapteng.example",
            recipient_name="Fachrul Rozi",
            recipient_role="kominfo_head",
            subject="Pengingat",
            message_id=f"<{key}@cerdas.example>",
            payload={},
            status=status,
            attempts=1,
            next_attempt_at=now - timedelta(hours=next_attempt_hours_ago),
            created_at=now - timedelta(hours=created_hours_ago),
        )

    with runtime.session_factory() as session:
        session.add_all(
            [
                delivery("stuck", "retrying", created_hours_ago=3, next_attempt_hours_ago=1),
                delivery("due-later", "pending", created_hours_ago=1, next_attempt_hours_ago=-1),
                delivery("done", "sent", created_hours_ago=9, next_attempt_hours_ago=9),
            ]
        )
        session.commit()
    body = app.test_client().get("/metrics").data.decode()
    assert _sample(body, "cerdas_deliveries", status="retrying") == 1
    assert _sample(body, "cerdas_deliveries_overdue") == 1
    assert _sample(body, "cerdas_delivery_oldest_unsent_seconds") == 3 * 3600
