"""Mentoring programmes on real PostgreSQL and Redis: created once per signing, dated in the region's zone,
planned from the cohort's template, seen by their mentors."""

import time
from datetime import UTC, date, datetime, timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from sqlalchemy import func, select

from services.mentoring.app import create_app
from services.mentoring.orm import Milestone, Programme
from shared.celery_app import CeleryPublisher
from tests.conftest import auth
from tests.support.mentoring import deliver, mou_signed, outbox, start_programme, wire


@pytest.fixture
def runtime(make_runtime):
    return make_runtime("mentoring")


@pytest.fixture
def client(runtime):
    return create_app(runtime).test_client()


def milestones_of(programme):
    return {m["key"]: m for stage in programme["stages"] for m in stage["milestones"]}


def test_a_signing_on_28_february_2023_gives_the_templates_milestones_on_local_dates_once(runtime, client):
    envelope = wire(mou_signed())
    assert deliver(runtime, envelope) == "processed"
    assert deliver(runtime, envelope) == "duplicate"  # redelivery of the same mou.signed

    listing = client.get("/programmes?region=12.01", headers=auth("operator")).get_json()
    assert listing["total"] == 1
    [programme] = listing["items"]
    assert programme["signed_on"] == "2023-02-28" and programme["template"] == "default@2"
    # Buku I (6 April) is due before the decrees (29 April): Bimtek I is where the region is.
    assert programme["current_stage"] == "bimtek_1"
    milestones = milestones_of(programme)
    assert milestones["sk_dewan_smart_city"]["due_date"] == "2023-04-29"
    assert milestones["sk_tim_pelaksana"]["due_date"] == "2023-04-29"
    assert [milestones[f"buku_{n}"]["due_date"] for n in range(1, 5)] == [
        "2023-04-06",
        "2023-05-06",
        "2023-06-05",
        "2023-07-05",
    ]
    assert milestones["masterplan_final"]["due_date"] == "2023-07-28"  # about five months on
    # End of the local day in WIB (UTC+7).
    assert datetime.fromisoformat(milestones["masterplan_final"]["due_at"]) == datetime(
        2023, 7, 28, 16, 59, 59, 999999, tzinfo=UTC
    )
    bimtek = {s["key"]: s for s in programme["stages"]}
    assert bimtek["bimtek_1"]["session_start"] == "2023-03-21" and bimtek["bimtek_4"]["session_end"] == "2023-06-20"

    sessions = {s["key"]: s["session"] for s in programme["stages"] if s["session"]}
    assert list(sessions) == ["bimtek_1", "bimtek_2", "bimtek_3", "bimtek_4"]

    # Nothing twice: one programme, one deadline.set per milestone and per session, one programme_started.
    with runtime.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Programme)) == 1
        assert session.scalar(select(func.count()).select_from(Milestone)) == len(milestones)
    deadlines = outbox(runtime, "deadline.set")
    assert len(deadlines) == len(milestones) + len(sessions)
    assert {d["data"]["deadline_id"] for d in deadlines} == {
        f"mentoring:milestone:{m['id']}" for m in milestones.values()
    } | {f"mentoring:session:{s['id']}" for s in sessions.values()}
    assert all(d["data"]["audience"] for d in deadlines)
    assert len(outbox(runtime, "mentoring.programme_started")) == 1
    # Events of one transaction share their instant, so the outbox keeps no order among them.
    assert sorted(e["data"]["stage_key"] for e in outbox(runtime, "mentoring.stage_started")) == [
        "bimtek_1",
        "kelembagaan",
    ]
    assert {e["data"]["session_id"] for e in outbox(runtime, "mentoring.session_scheduled")} == {
        s["id"] for s in sessions.values()
    }
    assert milestones["perkada_masterplan"]["title"] == "Perbup tentang Masterplan Smart City"


@pytest.mark.timeout(120)
def test_a_real_worker_applies_a_signing_delivered_three_times_once(runtime, redis_client):
    envelope = wire(mou_signed())
    publisher = CeleryPublisher(runtime.celery)

    def programmes():
        with runtime.session_factory() as session:
            return session.scalar(select(func.count()).select_from(Programme))

    def inbox_count():
        with runtime.session_factory() as session:
            return session.scalar(select(func.count()).select_from(runtime.inbox))

    with start_worker(
        runtime.celery,
        pool="threads",
        concurrency=2,
        perform_ping_check=False,
        queues=["mentoring"],
        shutdown_timeout=30,
    ):
        for _ in range(3):
            publisher.send("mentoring", envelope)
        deadline = time.monotonic() + 30
        while not (inbox_count() == 1 and redis_client.llen("mentoring") == 0) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # let any straggler finish
    assert programmes() == 1
    assert len(outbox(runtime, "mentoring.programme_started")) == 1


def test_jayapura_and_jakarta_signing_at_the_same_instant_have_due_instants_two_hours_apart(runtime, client):
    start_programme(runtime, region_code="12.01", timezone="Asia/Jakarta")
    start_programme(runtime, region_code="94.71", region_name="Kota Jayapura", timezone="Asia/Jayapura")
    operator = auth("operator")
    [jakarta] = client.get("/programmes?region=12.01", headers=operator).get_json()["items"]
    [jayapura] = client.get("/programmes?region=94.71", headers=operator).get_json()["items"]
    west, east = milestones_of(jakarta), milestones_of(jayapura)
    assert west.keys() == east.keys()
    for key, milestone in west.items():
        assert east[key]["due_date"] == milestone["due_date"]
        gap = datetime.fromisoformat(milestone["due_at"]) - datetime.fromisoformat(east[key]["due_at"])
        assert gap == timedelta(hours=2), key
    # The deadline events carry the same instants and the zone reminders are timed in.
    published = {d["data"]["deadline_id"]: d["data"] for d in outbox(runtime, "deadline.set")}
    sk = published[f"mentoring:milestone:{east['sk_dewan_smart_city']['id']}"]
    assert sk["timezone"] == "Asia/Jayapura"
    assert datetime.fromisoformat(sk["due_at"]) == datetime(2023, 4, 29, 14, 59, 59, 999999, tzinfo=UTC)


def test_a_cohorts_own_plan_template_is_versioned_and_used_for_its_new_programmes(runtime, client):
    operator = auth("operator")
    assert client.get("/cohorts/2024/plan-template", headers=operator).get_json()["source"] == "default"
    plan = {
        "name": "kota-cerdas-2024",
        "stages": [
            {
                "key": "kelembagaan",
                "title": "Kelembagaan",
                "milestones": [
                    {
                        "key": "sk_dewan_smart_city",
                        "title": "SK Dewan Smart City",
                        "kind": "decree",
                        "offset_days": 45,
                        "audience": ["kominfo_head", "regional_secretary"],
                    }
                ],
            },
            {
                "key": "bimtek_1",
                "title": "Bimtek I",
                "session": {"offset_days": 14, "days": 2},
                "milestones": [
                    {
                        "key": "buku_1",
                        "title": "Buku I",
                        "kind": "book",
                        "offset_days": 30,
                        "audience": ["bappeda_head"],
                    }
                ],
            },
        ],
    }
    first = client.put("/cohorts/2024/plan-template", json=plan, headers=operator)
    assert first.status_code == 200, first.get_json()
    assert (first.get_json()["source"], first.get_json()["version"]) == ("cohort", 1)
    plan["stages"][0]["milestones"][0]["offset_days"] = 50
    second = client.put("/cohorts/2024/plan-template", json=plan, headers=operator).get_json()
    assert second["version"] == 2

    start_programme(runtime, region_code="12.01", cohort_year=2024, signed_at=datetime(2024, 3, 1, 3, tzinfo=UTC))
    start_programme(runtime, region_code="12.02", cohort_year=2023)
    [new] = client.get("/programmes?cohort=2024", headers=operator).get_json()["items"]
    assert new["template"] == "kota-cerdas-2024@2"
    assert {k: m["due_date"] for k, m in milestones_of(new).items()} == {
        "sk_dewan_smart_city": (date(2024, 3, 1) + timedelta(days=50)).isoformat(),
        "buku_1": "2024-03-31",
    }
    [old] = client.get("/programmes?cohort=2023", headers=operator).get_json()["items"]
    assert old["template"] == "default@2"


def test_a_malformed_or_unauthorised_plan_template_is_refused(client):
    bad = {"name": "x", "stages": [{"key": "a", "title": "A", "milestones": [{"key": "m", "title": "M"}]}]}
    response = client.put("/cohorts/2024/plan-template", json=bad, headers=auth("operator"))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    duplicate_keys = {
        "name": "x",
        "stages": [
            {
                "key": "a",
                "title": "A",
                "milestones": [{"key": "m", "title": "M", "offset_days": 1, "audience": ["kominfo_head"]}],
            },
            {
                "key": "b",
                "title": "B",
                "milestones": [{"key": "m", "title": "M", "offset_days": 2, "audience": ["kominfo_head"]}],
            },
        ],
    }
    assert client.put("/cohorts/2024/plan-template", json=duplicate_keys, headers=auth("operator")).status_code == 422
    assert client.put("/cohorts/2024/plan-template", json=duplicate_keys, headers=auth("mentor")).status_code == 403


def test_a_mentor_sees_only_the_programmes_assigned_to_them(runtime, client):
    mine = start_programme(runtime, region_code="12.01")
    other = start_programme(runtime, region_code="94.71", region_name="Kota Jayapura", timezone="Asia/Jayapura")
    assigned = client.post(
        f"/programmes/{mine}/mentors", json={"mentor": "mentor-rina", "name": "Rina"}, headers=auth("operator")
    )
    assert assigned.status_code == 200
    assert assigned.get_json()["items"] == [{"mentor": "mentor-rina", "name": "Rina"}]
    rina = auth("mentor", sub="mentor-rina")
    listing = client.get("/programmes", headers=rina).get_json()
    assert [p["id"] for p in listing["items"]] == [mine]
    assert listing["items"][0]["mentors"] == [{"mentor": "mentor-rina", "name": "Rina"}]
    assert client.get(f"/programmes/{mine}", headers=rina).status_code == 200
    assert client.get(f"/programmes/{other}", headers=rina).status_code == 403
    assert client.get("/programmes", headers=auth("mentor", sub="mentor-budi")).get_json()["total"] == 0
    assert client.post(f"/programmes/{mine}/mentors", json={"mentor": "x"}, headers=rina).status_code == 403
    # Withdrawn, the mentor no longer sees it.
    assert client.delete(f"/programmes/{mine}/mentors/mentor-rina", headers=auth("operator")).status_code == 200
    assert client.get(f"/programmes/{mine}", headers=rina).status_code == 403
    assert client.delete(f"/programmes/{mine}/mentors/mentor-rina", headers=auth("operator")).status_code == 404


def test_a_region_sees_only_its_own_programme(runtime, client):
    mine = start_programme(runtime, region_code="12.01")
    other = start_programme(runtime, region_code="94.71", region_name="Kota Jayapura", timezone="Asia/Jayapura")
    region = auth("region", region="12.01")
    assert [p["id"] for p in client.get("/programmes", headers=region).get_json()["items"]] == [mine]
    assert client.get(f"/programmes/{other}", headers=region).status_code == 403
    assert client.get(f"/programmes/{mine}/progress", headers=region).status_code == 200


def test_text_the_database_cannot_store_is_refused_as_bad_input_not_a_server_error(runtime, client):
    plan = {
        "name": "x",
        "stages": [
            {
                "key": "a",
                "title": "Bimtek\u0000I",
                "milestones": [{"key": "m", "title": "M", "offset_days": 1, "audience": ["kominfo_head"]}],
            }
        ],
    }
    response = client.put("/cohorts/2024/plan-template", json=plan, headers=auth("operator"))
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert client.get("/programmes/abc%00def", headers=auth("operator")).status_code == 422


def test_a_mentor_moves_a_bimtek_session_and_it_is_announced_again(runtime, client, clock):
    programme_id = start_programme(runtime, region_code="94.71", region_name="Kota Jayapura", timezone="Asia/Jayapura")
    client.post(f"/programmes/{programme_id}/mentors", json={"mentor": "mentor-rina"}, headers=auth("operator"))
    view = client.get(f"/programmes/{programme_id}", headers=auth("operator")).get_json()
    session = next(s["session"] for s in view["stages"] if s["key"] == "bimtek_2")
    assert (session["starts_on"], session["ends_on"], session["sequence"]) == ("2023-04-20", "2023-04-21", 0)
    assert view["stages"][2]["session_start"] == "2023-04-20"  # the days as they were shown before

    rina = auth("mentor", sub="mentor-rina")
    moved = client.patch(
        f"/sessions/{session['id']}", json={"starts_on": "2023-04-25", "venue": "Aula Kantor Wali Kota"}, headers=rina
    )
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json() | {"audience": None} == {
        "id": session["id"],
        "title": session["title"],
        "starts_on": "2023-04-25",
        "ends_on": "2023-04-26",
        "audience": None,
        "venue": "Aula Kantor Wali Kota",
        "sequence": 1,
    }
    [announced] = [e["data"] for e in outbox(runtime, "mentoring.session_scheduled") if e["data"]["sequence"] == 1]
    assert (announced["session_id"], announced["starts_on"]) == (session["id"], "2023-04-25")
    assert announced["venue"] == "Aula Kantor Wali Kota" and announced["timezone"] == "Asia/Jayapura"
    deadline_id = f"mentoring:session:{session['id']}"
    reminders = [e["data"] for e in outbox(runtime, "deadline.set") if e["data"]["deadline_id"] == deadline_id]
    reminder = max(reminders, key=lambda d: d["version"])
    assert (reminder["version"], reminder["reminders"]) == (2, "day_before")
    # 08:00 WIT on the first day is 23:00 UTC the day before.
    assert datetime.fromisoformat(reminder["due_at"]) == datetime(2023, 4, 24, 23, tzinfo=UTC)
    view = client.get(f"/programmes/{programme_id}", headers=auth("operator")).get_json()
    assert next(s for s in view["stages"] if s["key"] == "bimtek_2")["session_start"] == "2023-04-25"

    path = f"/sessions/{session['id']}"
    assert (
        client.patch(path, json={"starts_on": "2023-05-02"}, headers=auth("region", region="94.71")).status_code == 403
    )
    assert client.patch(path, json={"starts_on": "2023-05-02"}, headers=auth("mentor", sub="x")).status_code == 403
    assert client.patch(path, json={}, headers=rina).status_code == 422
    backwards = client.patch(path, json={"starts_on": "2023-05-02", "ends_on": "2023-05-01"}, headers=rina)
    assert backwards.status_code == 422 and backwards.get_json()["errors"][0]["field"] == "ends_on"
    assert client.patch("/sessions/nope", json={"starts_on": "2023-05-02"}, headers=rina).status_code == 404
    clock.set(datetime(2023, 5, 1, 3, tzinfo=UTC))
    held = client.patch(path, json={"starts_on": "2023-05-10"}, headers=auth("operator"))
    assert held.status_code == 409 and "held" in held.get_json()["detail"]
