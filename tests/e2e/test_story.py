"""The 2023 cohort end to end, as `cerdas demo` tells it, against every process `make run` starts.

The demo runs with a smaller cast (ten applicants in all three zones, six selected) on test databases, the
test Redis and the SMTP test server, moving the shared timeline. Then every stage's counts are checked,
every reminder the officials should have had is worked out from what the APIs say happened, and each must
have reached its official exactly once, in the morning of the official's own zone; nobody may be reminded
of work already accepted, nor escalated for a signing the ministry itself scheduled later.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from services.demo.api import Endpoints
from services.demo.calendar import Dates
from services.demo.cast import TAPANULI_TENGAH, small_cast
from services.demo.chapter_applications import COMPLETED, plan
from services.demo.display import Display
from services.demo.runner import run
from shared.auth import mint_token
from shared.config import load_settings
from tests.conftest import SECRET
from tests.support import infra
from tests.support import story as model
from tests.support.processes import ROOT, WEB, WORKERS, Honcho

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]
WITH_CONSOLE = (*WEB, "console")


@pytest.fixture
def stack(tmp_path: Path, redis_url: str, redis_client, smtp_server):
    """Every Procfile process but the embedded Redis and SMTP sink (the test brings real ones), on a shared
    timeline that starts in 2022 at an hour per second, with a reminder scan every second."""
    admin = infra.postgres_admin_url()
    databases = infra.PostgresDatabases(admin, infra.unique_prefix("story")) if admin else None
    urls = databases.create() if databases else infra.sqlite_urls(tmp_path)
    ports = {name: infra.free_port() for name in WITH_CONSOLE}
    env = infra.test_env(
        urls,
        redis_url,
        tmp_path / "var",
        CERDAS_SMTP_URL=smtp_server.url,
        CERDAS_CLOCK_START="2022-05-01T00:00:00Z",
        CERDAS_CLOCK_SPEED="3600",
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
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    honcho = Honcho(env, (*WITH_CONSOLE, *WORKERS, "beat"), tmp_path / "honcho.log")
    honcho.start()
    try:
        urls_by_service = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        honcho.wait_ready({name: urls_by_service[name] for name in WEB})
        yield urls_by_service, env, honcho
    finally:
        code = honcho.stop()
        if databases:
            databases.drop()
        assert code is not None


def test_the_2023_cohort_from_applications_to_monev(stack, smtp_server, redis_url):
    urls, env, honcho = stack
    settings = load_settings(env)
    policy = settings.notifications.reminder_policy
    cast = small_cast()
    endpoints = Endpoints(urls["assessment"], urls["mou"], urls["mentoring"], urls["notifications"], urls["console"])
    shown = io.StringIO()
    try:
        story = run(endpoints, SECRET, redis_url, policy, cast, speed=60, display=Display(shown))
    except Exception:
        print(shown.getvalue())
        print(honcho.log_tail(60))
        raise
    session = requests.Session()

    def call(service: str, path: str):
        token = mint_token(SECRET, sub="story-test", role="operator", now=story.now())
        response = session.get(urls[service] + path, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text}"
        return response.json()

    year = Dates().cohort_year
    # -- every stage's counts ------------------------------------------------------------------
    facts = story.facts
    assert facts["register"]["regions"] == 552
    assert facts["officials"] == 5 * len(cast.applicants)
    assert facts["applications"]["total"] == len(cast.applicants)
    assert {g: f["selected"] for g, f in facts["selection"].items()} == cast.quotas
    agreements = call("mou", f"/agreements?cohort={year}")["items"]
    assert len(agreements) == len(cast.selected) and {a["status"] for a in agreements} == {"signed"}
    # One ceremony: 10:00 WIB for everyone, signed at 10:30 WIB, Tapanuli Tengah by its Plh Sekda for the Pj Bupati.
    assert {a["scheduled_at"] for a in agreements} == {"2023-02-28T03:00:00Z"}
    assert {a["signed_at"] for a in agreements} == {"2023-02-28T03:30:00Z"}
    tapteng = next(a for a in agreements if a["region_code"] == TAPANULI_TENGAH)
    signer = next(s for s in tapteng["signatories"] if s["party"] == "region")
    assert (signer["position"], signer["acting"], signer["on_behalf_of"]) == (
        "Plh Sekretaris Daerah",
        "Plh",
        "Pj Bupati Tapanuli Tengah",
    )
    programmes = call("mentoring", f"/programmes?cohort={year}")["items"]
    assert len(programmes) == len(cast.selected)
    assert {p["status"] for p in programmes} == {"completed"}, "the first year's monev completes every programme"
    for key, counts in facts["mentoring"].items():
        assert counts["late (escalated)"] == cast.late, key
        assert counts["revised"] == cast.revisions, key
        assert counts["after the 7-day reminder"] == cast.after_reminder, key
    assert facts["monev"]["confirmed"] == len(cast.selected)

    # -- what each official should have been reminded of ---------------------------------------
    cohort = call("assessment", f"/cohorts/{year}")
    regions = {code: call("assessment", f"/regions/{code}") for code in cast.applicants}
    officials = {
        code: {o["role"]: o["email"] for o in call("assessment", f"/regions/{code}/officials")["officials"]}
        for code in cast.applicants
    }
    after, never = plan(story)
    deadlines: list[model.Deadline] = []
    for application in call("assessment", f"/cohorts/{year}/applications")["items"]:
        code = application["region_code"]
        completed = Dates().wib(*COMPLETED) if code in after else None
        tz = regions[code]["timezone"]
        deadlines += model.cohort_deadlines(call, cohort, application, tz, code in after or code in never, completed)
    for agreement in agreements:
        deadlines.append(model.signing_deadline(call, agreement, settings.mou.signing_days))
    for programme in programmes:
        deadlines += model.milestone_deadlines(call, programme, year)
    expected = model.expected(deadlines, officials, policy, story.outages)

    deliveries = [
        d for code in cast.applicants for d in call("notifications", f"/deliveries?region={code}&limit=1000")["items"]
    ]
    reminders = [d for d in deliveries if d["kind"].startswith("reminder_")]
    sent = Counter((d["deadline_id"], d["kind"].removeprefix("reminder_"), d["recipient"].lower()) for d in reminders)
    assert [key for key, n in sent.items() if n > 1] == [], "nobody gets the same reminder twice"
    missing, extra = expected - set(sent), set(sent) - expected
    assert not missing and not extra, f"missing {sorted(missing)[:10]}\nunexpected {sorted(extra)[:10]}"
    kinds = Counter(kind for _, kind, _ in sent)
    assert kinds["overdue_2"] and kinds["day_before"] and kinds["before_7"], kinds

    # In the morning of the official's own zone: the reminder hour, WIB, WITA or WIT.
    for delivery in reminders:
        zone = ZoneInfo(regions[delivery["region_code"]]["timezone"])
        for field in ("created_at", "sent_at"):
            hour = model.instant(delivery[field]).astimezone(zone).hour
            assert hour == policy.send_hour, f"{delivery['kind']} to {delivery['recipient']}: {field} at {hour}:00"

    # Nobody is reminded of work already accepted, nor escalated for the ceremony the ministry scheduled.
    met = {d.deadline_id: d.met_at for d in deadlines if d.met_at is not None}
    for delivery in reminders:
        met_at = met.get(delivery["deadline_id"])
        assert met_at is None or model.instant(delivery["created_at"]) < met_at, delivery
    signing = [d for d in reminders if d["deadline_id"].startswith("mou:signing:")]
    assert {d["kind"] for d in signing} == {"reminder_day_before"}
    assert Counter(d["region_code"] for d in signing) == Counter(cast.selected)

    # The outage: the late regions' one catch-up on the due date instead of the reminders it skipped.
    assert story.outages and story.agenda.skipped_in_outage

    # -- every email reached the SMTP server once ----------------------------------------------
    delivered = [d for d in deliveries if d["status"] == "sent"]
    assert len(delivered) == len(deliveries), Counter(d["status"] for d in deliveries)
    received = Counter(m["Message-ID"] for m in smtp_server.messages)
    assert [mid for mid, n in received.items() if n > 1] == []
    assert set(received) == {d["message_id"] for d in delivered}
    assert all(len(m.rcpt_tos) == 1 for m in smtp_server.messages)
    assert facts["mail_sent"] == len(delivered)
    assert story.now() > Dates().wib(2024, 3, 1) - timedelta(days=1)
    assert "Where to look" in shown.getvalue()
