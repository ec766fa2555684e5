"""The quick-win register over HTTP on real PostgreSQL: the region and its mentor keep it per smart city
dimension, and each dated quick win is a deadline until it is done or dropped."""

from datetime import date

import pytest

from services.mentoring.app import create_app
from tests.conftest import auth
from tests.support.mentoring import outbox, start_programme

REGION = auth("region", region="12.01")
MENTOR = auth("mentor", sub="mentor-rina")


@pytest.fixture
def runtime(make_runtime):
    return make_runtime("mentoring")


@pytest.fixture
def client(runtime):
    return create_app(runtime).test_client()


@pytest.fixture
def programme_id(runtime, client):
    programme_id = start_programme(runtime)
    client.post(f"/programmes/{programme_id}/mentors", json={"mentor": "mentor-rina"}, headers=auth("operator"))
    return programme_id


def quick_win_events(runtime, event_type):
    return [
        e["data"] for e in outbox(runtime, event_type) if e["data"]["deadline_id"].startswith("mentoring:quick_win:")
    ]


def test_a_region_registers_carries_out_and_completes_a_quick_win_with_evidence(runtime, client, programme_id):
    added = client.post(
        f"/programmes/{programme_id}/quick-wins",
        json={
            "dimension": "living",
            "what": "Layanan kesehatan keliling berbasis aplikasi",
            "owner": "Dinas Kesehatan",
            "due_date": "2023-10-31",
        },
        headers=REGION,
    )
    assert added.status_code == 201, added.get_json()
    quick_win = added.get_json()
    assert (quick_win["status"], quick_win["due_date"], quick_win["evidence"]) == ("planned", "2023-10-31", [])
    [announced] = quick_win_events(runtime, "deadline.set")
    assert announced["deadline_id"] == f"mentoring:quick_win:{quick_win['id']}"
    assert announced["reminders"] == "standard" and announced["title"].startswith("Quick win Smart Living")

    path = f"/quick-wins/{quick_win['id']}"
    assert client.patch(path, json={"status": "in_progress"}, headers=REGION).get_json()["status"] == "in_progress"
    no_evidence = client.patch(path, json={"status": "done"}, headers=REGION)
    assert no_evidence.status_code == 422 and no_evidence.get_json()["errors"][0]["field"] == "evidence"
    assert client.patch(path, json={"status": "dropped"}, headers=REGION).status_code == 403
    evidence = ["https://dinkes.tapanulitengahkab.example/laporan-q3.pdf"]
    done = client.patch(path, json={"status": "done", "evidence": evidence}, headers=REGION)
    assert done.status_code == 200 and done.get_json()["evidence"] == evidence
    [cleared] = quick_win_events(runtime, "deadline.cleared")
    assert (cleared["deadline_id"], cleared["reason"]) == (announced["deadline_id"], "met")
    assert client.patch(path, json={"owner": "Bappeda"}, headers=MENTOR).status_code == 409

    register = client.get(f"/programmes/{programme_id}/quick-wins", headers=MENTOR).get_json()
    assert [q["id"] for q in register["items"]] == [quick_win["id"]]
    assert register["dimensions"]["living"]["done"] == 1 and len(register["dimensions"]) == 6
    assert client.get(f"/programmes/{programme_id}/quick-wins?dimension=living", headers=REGION).status_code == 200


def test_a_mentor_drops_a_quick_win_and_bad_or_foreign_requests_are_refused(runtime, client, programme_id):
    body = {"dimension": "branding", "what": "Festival Teluk Tapian Nauli", "owner": "Dinas Pariwisata"}
    added = client.post(
        f"/programmes/{programme_id}/quick-wins", json=body | {"due_date": "2023-12-01"}, headers=MENTOR
    )
    assert added.status_code == 201
    dropped = client.patch(f"/quick-wins/{added.get_json()['id']}", json={"status": "dropped"}, headers=MENTOR)
    assert dropped.status_code == 200 and dropped.get_json()["status"] == "dropped"
    assert [d["reason"] for d in quick_win_events(runtime, "deadline.cleared")] == ["cancelled"]

    url = f"/programmes/{programme_id}/quick-wins"
    assert client.post(url, json=body | {"dimension": "quick_win"}, headers=REGION).status_code == 422
    assert client.post(url, json=body | {"due_date": "2023-01-01"}, headers=REGION).status_code == 422
    assert client.post(url, json=body | {"evidence": ["not a link"]}, headers=REGION).status_code == 422
    assert client.post(url, json=body, headers=auth("region", region="94.71")).status_code == 403
    assert client.post(url, json=body, headers=auth("mentor", sub="mentor-budi")).status_code == 403
    assert client.post(url, json=body, headers=auth("assessor")).status_code == 403
    assert client.patch("/quick-wins/nope", json={"status": "in_progress"}, headers=REGION).status_code == 404
    assert client.get(f"{url}?dimension=quick_win", headers=REGION).status_code == 422
    assert date.fromisoformat(dropped.get_json()["due_date"]) == date(2023, 12, 1)
