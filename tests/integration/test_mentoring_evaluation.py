"""Monev on real PostgreSQL: cohort weights, the region's self-assessment, the assessor's confirmation,
and the programme completing after its evaluation."""

from datetime import UTC, datetime

import pytest

from services.mentoring.app import create_app
from tests.conftest import auth
from tests.support.mentoring import outbox, start_programme

MENTOR = "mentor-rina"
REGION = auth("region", region="12.01")
ASSESSOR = auth("assessor", sub="assessor-dewi")


@pytest.fixture
def runtime(make_runtime):
    return make_runtime("mentoring")


@pytest.fixture
def client(runtime):
    return create_app(runtime).test_client()


def self_assessment(**scores):
    return {
        "dimensions": {
            name: {"score": score, "evidence": [f"https://data.tapteng.example/monev/{name}.pdf"]}
            for name, score in scores.items()
        }
    }


DEFAULT_SCORES = {"baseline": 80, "output": 70, "outcome": 60, "impact": 50, "quick_win": 90}


def accept_everything_but_the_evaluation(client, programme_id, kinds=None):
    """Hand in and accept every milestone but the evaluation, or only those of ``kinds``."""
    client.post(f"/programmes/{programme_id}/mentors", json={"mentor": MENTOR}, headers=auth("operator"))
    mentor = auth("mentor", sub=MENTOR)
    view = client.get(f"/programmes/{programme_id}", headers=REGION).get_json()
    for stage in view["stages"]:
        for milestone in stage["milestones"]:
            if milestone["kind"] == "evaluation" or milestone["status"] == "accepted":
                continue
            if kinds is not None and milestone["kind"] not in kinds:
                continue
            submission = client.post(
                f"/milestones/{milestone['id']}/submissions", json={"link": "https://x.example/d"}, headers=REGION
            ).get_json()
            response = client.post(
                f"/submissions/{submission['id']}/review", json={"decision": "accept"}, headers=mentor
            )
            assert response.status_code == 200


def test_default_weights_give_the_achievement_index_and_the_programme_completes_after_evaluation(runtime, client):
    programme_id = start_programme(runtime)
    accept_everything_but_the_evaluation(client, programme_id)
    view = client.get(f"/programmes/{programme_id}", headers=REGION).get_json()
    assert view["status"] == "active" and view["current_stage"] == "evaluasi"
    assert outbox(runtime, "mentoring.programme_completed") == []

    weights = client.get("/cohorts/2023/evaluation-weights", headers=REGION).get_json()
    assert (weights["source"], weights["weights"]) == (
        "default",
        {"baseline": 10.0, "output": 20.0, "outcome": 30.0, "impact": 30.0, "quick_win": 10.0},
    )
    handed_in = client.put(
        f"/programmes/{programme_id}/evaluation", json=self_assessment(**DEFAULT_SCORES), headers=REGION
    )
    assert handed_in.status_code == 200, handed_in.get_json()
    assert handed_in.get_json()["status"] == "self_assessed" and handed_in.get_json()["achievement_index"] is None

    # The assessor lowers one score after checking the evidence: impact 50 -> 40.
    confirmed = client.post(
        f"/programmes/{programme_id}/evaluation/confirm",
        json={"scores": {"impact": 40}, "comments": "Bukti dampak belum lengkap"},
        headers=ASSESSOR,
    )
    assert confirmed.status_code == 200, confirmed.get_json()
    body = confirmed.get_json()
    # (10*80 + 20*70 + 30*60 + 30*40 + 10*90) / 100
    assert body["achievement_index"] == 61.0
    assert body["confirmed_scores"]["impact"] == 40.0 and body["confirmed_by"] == "assessor-dewi"

    view = client.get(f"/programmes/{programme_id}", headers=REGION).get_json()
    assert view["status"] == "completed" and view["achievement_index"] == 61.0
    assert all(s["status"] == "completed" for s in view["stages"])
    [completed] = outbox(runtime, "mentoring.programme_completed")
    assert completed["data"] == {"programme_id": programme_id, "region_code": "12.01", "achievement_index": 61.0}
    evaluation_milestone = next(m for s in view["stages"] for m in s["milestones"] if m["kind"] == "evaluation")
    assert f"mentoring:milestone:{evaluation_milestone['id']}" in {
        e["data"]["deadline_id"] for e in outbox(runtime, "deadline.cleared")
    }
    again = client.post(f"/programmes/{programme_id}/evaluation/confirm", json={}, headers=ASSESSOR)
    assert again.status_code == 409
    late = client.put(f"/programmes/{programme_id}/evaluation", json=self_assessment(**DEFAULT_SCORES), headers=REGION)
    assert late.status_code == 409


def test_a_cohorts_own_weights_are_used_and_kept_with_the_confirmed_evaluation(runtime, client):
    programme_id = start_programme(runtime)
    operator = auth("operator")
    custom = {"baseline": 5, "output": 15, "outcome": 30, "impact": 40, "quick_win": 10}
    response = client.put("/cohorts/2023/evaluation-weights", json={"weights": custom}, headers=operator)
    assert response.status_code == 200 and response.get_json()["source"] == "cohort"
    accept_everything_but_the_evaluation(client, programme_id, kinds={"masterplan"})
    client.put(f"/programmes/{programme_id}/evaluation", json=self_assessment(**DEFAULT_SCORES), headers=REGION)
    body = client.post(f"/programmes/{programme_id}/evaluation/confirm", json={}, headers=ASSESSOR).get_json()
    # (5*80 + 15*70 + 30*60 + 40*50 + 10*90) / 100
    assert body["achievement_index"] == 61.5
    # Changing the weights later does not rewrite a confirmed result.
    client.put("/cohorts/2023/evaluation-weights", json={"weights": {"output": 1}}, headers=operator)
    kept = client.get(f"/programmes/{programme_id}/evaluation", headers=REGION).get_json()
    assert kept["achievement_index"] == 61.5 and kept["weights"]["impact"] == 40.0
    # Evaluation alone does not complete a programme whose earlier stages are still open ...
    assert client.get(f"/programmes/{programme_id}", headers=REGION).get_json()["status"] == "active"
    assert outbox(runtime, "mentoring.programme_completed") == []
    # ... accepting the last of them does, and the completion carries the confirmed index.
    accept_everything_but_the_evaluation(client, programme_id)
    assert client.get(f"/programmes/{programme_id}", headers=REGION).get_json()["status"] == "completed"
    [completed] = outbox(runtime, "mentoring.programme_completed")
    assert completed["data"]["achievement_index"] == 61.5


def test_bad_evaluations_are_refused(runtime, client):
    programme_id = start_programme(runtime)
    # On signing day nothing is evaluated yet: monev opens with the Masterplan stage complete.
    early = client.put(f"/programmes/{programme_id}/evaluation", json=self_assessment(**DEFAULT_SCORES), headers=REGION)
    assert early.status_code == 409 and "Masterplan stage is not complete" in early.get_json()["detail"]
    accept_everything_but_the_evaluation(client, programme_id, kinds={"masterplan"})
    missing = dict(DEFAULT_SCORES)
    del missing["impact"]
    response = client.put(f"/programmes/{programme_id}/evaluation", json=self_assessment(**missing), headers=REGION)
    assert response.status_code == 422 and "impact" in response.get_json()["detail"]
    no_evidence = self_assessment(**DEFAULT_SCORES)
    no_evidence["dimensions"]["output"]["evidence"] = []
    assert client.put(f"/programmes/{programme_id}/evaluation", json=no_evidence, headers=REGION).status_code == 422
    too_high = self_assessment(**{**DEFAULT_SCORES, "output": 120})
    assert client.put(f"/programmes/{programme_id}/evaluation", json=too_high, headers=REGION).status_code == 422
    other_region = auth("region", region="94.71")
    good = self_assessment(**DEFAULT_SCORES)
    assert client.put(f"/programmes/{programme_id}/evaluation", json=good, headers=other_region).status_code == 403
    assert client.post(f"/programmes/{programme_id}/evaluation/confirm", json={}, headers=ASSESSOR).status_code == 409
    assert client.put(f"/programmes/{programme_id}/evaluation", json=good, headers=REGION).status_code == 200
    assert client.post(f"/programmes/{programme_id}/evaluation/confirm", json={}, headers=REGION).status_code == 403
    wrong = client.post(
        f"/programmes/{programme_id}/evaluation/confirm", json={"scores": {"branding": 50}}, headers=ASSESSOR
    )
    assert wrong.status_code == 422
    bad_weights = {"weights": {"output": -1}}
    assert client.put("/cohorts/2023/evaluation-weights", json=bad_weights, headers=auth("operator")).status_code == 422
    # Weights the index cannot be computed from (JSON allows Infinity, PostgreSQL does not).
    for raw in ('{"weights": {"output": Infinity}}', '{"weights": {"output": 1e308, "impact": 1e308}}'):
        unusable = client.put(
            "/cohorts/2023/evaluation-weights",
            data=raw,
            headers={**auth("operator"), "Content-Type": "application/json"},
        )
        assert unusable.status_code == 422, unusable.get_json()
    assert (
        client.put("/cohorts/2023/evaluation-weights", json={"weights": {"output": 1}}, headers=ASSESSOR).status_code
        == 403
    )


def test_each_year_is_evaluated_on_its_own_and_the_old_route_speaks_of_the_first(runtime, client, clock):
    programme_id = start_programme(runtime)
    scores = self_assessment(**DEFAULT_SCORES)
    early = client.put(f"/programmes/{programme_id}/evaluations/2023", json=scores, headers=REGION)
    assert early.status_code == 409 and early.get_json()["current_state"] == "masterplan_incomplete"
    accept_everything_but_the_evaluation(client, programme_id, kinds={"masterplan"})

    first = client.put(f"/programmes/{programme_id}/evaluations/2023", json=scores, headers=REGION)
    assert first.status_code == 200, first.get_json()
    assert (first.get_json()["year"], first.get_json()["status"]) == (2023, "self_assessed")
    # The route without a year is the programme's first year, its cohort's.
    assert client.get(f"/programmes/{programme_id}/evaluation", headers=REGION).get_json() == first.get_json()
    ahead = client.put(f"/programmes/{programme_id}/evaluations/2024", json=scores, headers=REGION)
    assert ahead.status_code == 422 and ahead.get_json()["errors"][0]["field"] == "year"
    before = client.put(f"/programmes/{programme_id}/evaluations/2022", json=scores, headers=REGION)
    assert before.status_code == 422 and "began in 2023" in before.get_json()["detail"]
    confirmed = client.post(f"/programmes/{programme_id}/evaluations/2023/confirm", json={}, headers=ASSESSOR)
    assert confirmed.status_code == 200 and confirmed.get_json()["achievement_index"] == 64.0

    clock.set(datetime(2025, 2, 3, 3, tzinfo=UTC))
    second = client.put(
        f"/programmes/{programme_id}/evaluations/2024",
        json=self_assessment(**{**DEFAULT_SCORES, "quick_win": 100}),
        headers=REGION,
    )
    assert second.status_code == 200 and second.get_json()["year"] == 2024
    assert client.get(f"/programmes/{programme_id}/evaluations/2024", headers=REGION).get_json()["status"] == (
        "self_assessed"
    )
    assert client.get(f"/programmes/{programme_id}/evaluations/2025", headers=REGION).status_code == 404
    body = client.post(f"/programmes/{programme_id}/evaluations/2024/confirm", json={}, headers=ASSESSOR).get_json()
    assert body["achievement_index"] == 65.0
    listing = client.get(f"/programmes/{programme_id}/evaluations", headers=REGION).get_json()
    assert [(e["year"], e["achievement_index"]) for e in listing["items"]] == [(2023, 64.0), (2024, 65.0)]
    view = client.get(f"/programmes/{programme_id}", headers=REGION).get_json()
    assert view["achievement_index"] == 65.0 and [e["year"] for e in view["evaluations"]] == [2023, 2024]
    # Only the first year's evaluation is the plan's milestone.
    evaluation_milestone = next(m for s in view["stages"] for m in s["milestones"] if m["kind"] == "evaluation")
    assert evaluation_milestone["status"] == "accepted"
