"""Every process started from the Procfile: selection -> MoU -> signing -> mentoring -> email reminders."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
import requests

from tests.conftest import auth
from tests.support import infra
from tests.support.notifications import OFFICIALS
from tests.support.processes import ROOT, WEB, WORKERS, Honcho
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


@pytest.fixture
def stack(tmp_path: Path, redis_url: str, redis_client, smtp_server):
    """Fresh databases, migrated with `cerdas migrate`, and every process of the Procfile but the
    embedded Redis and SMTP sink (the test brings real ones)."""
    admin = infra.postgres_admin_url()
    databases = infra.PostgresDatabases(admin, infra.unique_prefix("e2e")) if admin else None
    urls = databases.create() if databases else infra.sqlite_urls(tmp_path)
    ports = {name: infra.free_port() for name in WEB}
    env = infra.test_env(
        urls,
        redis_url,
        tmp_path / "var",
        CERDAS_SMTP_URL=smtp_server.url,
        CERDAS_REMINDER_DAYS_BEFORE="90",
        CERDAS_REMINDER_SCAN_SECONDS="1",
        CERDAS_OUTBOX_SWEEP_SECONDS="2",
        CERDAS_OUTBOX_GRACE_SECONDS="2",
        CERDAS_WEB_CONCURRENCY="1",
        **{f"CERDAS_{name.upper()}_PORT": str(port) for name, port in ports.items()},
        **{f"CERDAS_{name.upper()}_URL": f"http://127.0.0.1:{port}" for name, port in ports.items()},
    )
    subprocess.run(
        [str(Path(sys.executable).parent / "cerdas"), "migrate"],
        cwd=ROOT,
        env={**dict(__import__("os").environ), **env},
        check=True,
        capture_output=True,
    )
    honcho = Honcho(env, (*WEB, *WORKERS, "beat"), tmp_path / "honcho.log")
    honcho.start()
    try:
        urls_by_service = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        honcho.wait_ready(urls_by_service)
        yield urls_by_service, honcho
    finally:
        code = honcho.stop()
        if databases:
            databases.drop()
        assert code is not None


def _scans(honcho) -> int:
    """Reminder scans the notifications worker has finished so far, counted from its log."""
    log = honcho.log_path.read_text(errors="replace")
    return sum(1 for line in log.splitlines() if "cerdas.notifications.scan_reminders[" in line and "succeeded" in line)


def _unfinished(call) -> list:
    """Deliveries not yet sent or failed: while any remain, a scan or delivery run is still at work."""
    return [
        d
        for status in ("pending", "sending", "retrying")
        for d in call("GET", "notifications", f"/deliveries?region=12.01&status={status}")["items"]
    ]


def _poll(fetch, timeout=60.0, interval=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fetch()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"gave up waiting after {timeout}s")


def _calendar_uids(message) -> list[str]:
    for part in message.message.iter_attachments():
        if part.get_content_type() == "text/calendar":
            calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
            return [str(event["UID"]) for event in calendar.walk("VEVENT")]
    return []


def _reminder_uid(message) -> str | None:
    """A deadline reminder carries a calendar with that one deadline; stage notices carry none or many."""
    uids = _calendar_uids(message)
    return uids[0] if len(uids) == 1 else None


def test_selection_to_reminder_emails(stack, smtp_server):
    urls, honcho = stack
    now = datetime.now(UTC)
    operator = auth("operator")
    correlation_id = f"round-{uuid.uuid4()}"
    traced = {**operator, "X-Correlation-ID": correlation_id}
    session = requests.Session()

    def call(method, service, path, headers=operator, **kwargs):
        response = session.request(method, urls[service] + path, headers=headers, timeout=10, **kwargs)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    # Assessment: register the region and its officials, open a cohort, apply, score, select.
    call(
        "POST",
        "assessment",
        "/regions/import",
        json={
            "regions": [
                {"code": "12", "name": "Sumatera Utara", "kind": "provinsi", "timezone": "Asia/Jakarta"},
                {
                    "code": "12.01",
                    "name": "Kabupaten Tapanuli Tengah",
                    "kind": "kabupaten",
                    "province_code": "12",
                    "timezone": "Asia/Jakarta",
                },
            ]
        },
    )
    call("PUT", "assessment", "/regions/12.01/officials", json={"officials": OFFICIALS})
    year = now.year + 1
    cohort = call(
        "POST",
        "assessment",
        "/cohorts",
        json={
            "year": year,
            "quotas": {"provinsi": 0, "kabkota": 1},
            "applications_open_at": (now - timedelta(days=1)).isoformat(),
            "applications_close_at": (now + timedelta(days=10)).isoformat(),
            "assessment_due_at": (now + timedelta(days=20)).isoformat(),
        },
    )
    application = call(
        "POST",
        "assessment",
        f"/cohorts/{year}/applications",
        headers=auth("region", region="12.01"),
        json={"region_code": "12.01"},
    )
    scores = {criterion["key"]: 80 for criterion in cohort["rubric"]}
    call(
        "PUT",
        "assessment",
        f"/applications/{application['id']}/scores",
        headers=auth("assessor"),
        json={"scores": scores},
    )
    # The window is still open (the test cannot wait ten days): the operator forces it, with a reason.
    ranking = call(
        "POST",
        "assessment",
        f"/cohorts/{year}/selection",
        headers=traced,
        json={"force": True, "reason": "uji ujung ke ujung: semua pendaftar telah dinilai"},
    )
    assert ranking["groups"]["kabkota"][0]["selected"] is True

    # MoU: a draft appears from the event; signing it publishes mou.signed.
    agreements = _poll(lambda: call("GET", "mou", "/agreements?region=12.01")["items"])
    assert agreements[0]["status"] == "draft"
    signed = call(
        "POST",
        "mou",
        f"/agreements/{agreements[0]['id']}/sign",
        headers=traced,
        json={
            "signed_at": datetime.now(UTC).isoformat(),
            "signatories": [
                {
                    "party": "region",
                    "name": "Sugiharto Hutabarat",
                    "position": "Plh Sekretaris Daerah",
                    "acting": "Plh",
                    "on_behalf_of": "Pj Bupati Tapanuli Tengah",
                },
                {
                    "party": "ministry",
                    "name": "Semuel Abrijani Pangerapan",
                    "position": "Direktur Jenderal Aplikasi Informatika",
                },
            ],
        },
    )
    assert signed["status"] == "signed"

    # Mentoring: a programme with dated milestones appears from mou.signed.
    programmes = _poll(lambda: call("GET", "mentoring", "/programmes?region=12.01")["items"])
    milestones = {m["id"]: m for stage in programmes[0]["stages"] for m in stage["milestones"]}
    due_now = {  # with reminders 90 days ahead, these have a reminder due already
        f"mentoring:milestone:{m['id']}@cerdas.example": m
        for m in milestones.values()
        if datetime.fromisoformat(m["due_at"]) - timedelta(days=90) < datetime.now(UTC) - timedelta(days=1)
    }
    assert {m["key"] for m in due_now.values()} == {"sk_dewan_smart_city", "sk_tim_pelaksana", "buku_1", "buku_2"}

    # Notifications: one email per deadline and recipient, to the roles the deadline names.
    expected = {(uid, "kominfo@tapteng.example") for uid in due_now}
    expected |= {(uid, "bappeda@tapteng.example") for uid, m in due_now.items() if "bappeda_head" in m["audience"]}

    def reminders():
        return [(_reminder_uid(m), m.rcpt_tos[0]) for m in smtp_server.messages if _reminder_uid(m)]

    def mentoring_mail():
        return expected <= set(reminders())

    try:
        _poll(mentoring_mail, timeout=90)
    except AssertionError:
        pytest.fail(f"expected reminders did not arrive; got {len(smtp_server.messages)}\n{honcho.log_tail(120)}")
    # Several more reminder scans must pass, seen in the worker's own log, and nothing may be sent twice.
    scans = _scans(honcho)
    assert wait_until(lambda: _scans(honcho) >= scans + 3, timeout=120), honcho.log_tail(40)
    assert wait_until(lambda: not _unfinished(call), timeout=120)
    received = reminders()
    assert all(len(m.rcpt_tos) == 1 for m in smtp_server.messages), "one recipient per email, never a shared To"
    duplicates = [key for key, n in Counter(received).items() if n > 1]
    assert duplicates == []
    # Milestone reminders only: a Bimtek session's invitation also carries one calendar entry, its own.
    assert {r for r in received if r[0].startswith("mentoring:milestone:")} == expected
    for message in smtp_server.messages:
        if (_reminder_uid(message) or "").startswith("mentoring:"):
            assert message["X-Correlation-ID"] == correlation_id
            assert "Tapanuli Tengah" in message.text()
            assert message["Message-ID"].endswith("@cerdas.example>")

    # The notification service reports what it sent.
    deliveries = call("GET", "notifications", "/deliveries?region=12.01&status=sent")["items"]
    assert {(d["recipient"]) for d in deliveries} >= {"kominfo@tapteng.example", "bappeda@tapteng.example"}
    assert len(deliveries) == len(smtp_server.messages)
