"""Signing ceremonies: the 28 February 2023 session signs a whole cohort's agreements, all or none."""

import pytest
from sqlalchemy import select

from services.mou.app import create_app
from services.mou.orm import Agreement, AuditEntry, Signatory
from tests.conftest import auth
from tests.support.mou import dirjen, draft, head_of_region, kabkota_codes, outbox_events, representative

COHORT_SIZE = 52  # 50 kabupaten/kota and 2 provinces in the 2023 cohort


@pytest.fixture
def mou(make_runtime):
    return make_runtime("mou")


@pytest.fixture
def client(mou):
    return create_app(mou).test_client()


@pytest.fixture
def cohort(mou):
    return {code: draft(mou, code) for code in kabkota_codes(COHORT_SIZE)}


def ceremony(cohort, representative_for=None):
    return {
        "signed_at": "2023-02-28T10:00:00+07:00",
        "signatories": [dirjen()],
        "agreements": [
            {
                "agreement_id": agreement_id,
                "signatories": [representative() if code == representative_for else head_of_region(code)],
            }
            for code, agreement_id in cohort.items()
        ],
    }


def statuses(runtime):
    with runtime.session_factory() as session:
        return {a.status for a in session.scalars(select(Agreement))}


def test_a_cohort_is_signed_in_one_session_each_with_its_own_event(mou, client, cohort):
    tapteng = next(iter(cohort))
    response = client.post("/ceremonies/sign", json=ceremony(cohort, tapteng), headers=auth("operator"))
    assert response.status_code == 200, response.json
    assert response.json["total"] == COHORT_SIZE
    assert statuses(mou) == {"signed"}
    signed = outbox_events(mou, "mou.signed")
    assert sorted(e["data"]["agreement_id"] for e in signed) == sorted(cohort.values())
    by_agreement = {e["data"]["agreement_id"]: e["data"] for e in signed}
    represented = by_agreement[cohort[tapteng]]["signatories"]
    assert represented == [
        {**representative(), "title": None},
        {**dirjen(), "acting": None, "on_behalf_of": None, "title": None},
    ]
    assert {e["subject"] for e in signed} == set(cohort)
    assert len(outbox_events(mou, "deadline.cleared")) == COHORT_SIZE


def test_one_unsignable_agreement_signs_none_and_is_named(mou, client, cohort):
    codes = list(cohort)
    blocked = cohort[codes[17]]
    terminated = client.post(
        f"/agreements/{blocked}/terminate", json={"reason": "Region withdrew"}, headers=auth("operator")
    )
    assert terminated.status_code == 200
    events_before = len(outbox_events(mou))

    response = client.post("/ceremonies/sign", json=ceremony(cohort), headers=auth("operator"))

    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    [failure] = response.json["failures"]
    assert failure["agreement_id"] == blocked
    assert failure["number"] == "NK-2023/018"
    assert failure["current_state"] == "terminated"
    assert "NK-2023/018" in response.json["detail"] and "1 of 52" in response.json["detail"]
    assert statuses(mou) == {"draft", "terminated"}
    assert len(outbox_events(mou)) == events_before  # not one mou.signed left the building
    with mou.session_factory() as session:
        assert session.scalars(select(Signatory)).all() == []
        assert {e.action for e in session.scalars(select(AuditEntry))} == {"drafted", "terminated"}


def test_every_refusal_is_listed_at_once(mou, client, cohort):
    body = ceremony(cohort)
    body["agreements"][3]["agreement_id"] = "no-such-agreement"
    body["signed_at"] = "2023-02-27T10:00:00+07:00"  # before any agreement existed
    response = client.post("/ceremonies/sign", json=body, headers=auth("operator"))
    assert response.status_code == 422
    assert len(response.json["failures"]) == COHORT_SIZE
    assert {f["status"] for f in response.json["failures"]} == {404, 422}
    assert statuses(mou) == {"draft"}


def test_an_agreement_listed_twice_is_refused(mou, client, cohort):
    body = ceremony(cohort)
    body["agreements"].append(body["agreements"][0])
    response = client.post("/ceremonies/sign", json=body, headers=auth("operator"))
    assert response.status_code == 422
    assert statuses(mou) == {"draft"}


def test_a_cohort_is_scheduled_into_one_online_session(mou, client, cohort):
    response = client.post(
        "/ceremonies/schedule",
        json={
            "agreement_ids": list(cohort.values()),
            "scheduled_at": "2023-03-01T10:00:00+07:00",
            "mode": "online",
            "venue": "https://zoom.example/j/nota-kesepakatan-2023",
        },
        headers=auth("operator"),
    )
    assert response.status_code == 200, response.json
    assert statuses(mou) == {"scheduled"}
    scheduled = outbox_events(mou, "mou.scheduled")
    assert len(scheduled) == COHORT_SIZE
    assert {e["data"]["scheduled_at"] for e in scheduled} == {"2023-03-01T03:00:00Z"}

    # A scheduled agreement can still be signed in the ceremony it was scheduled for.
    assert client.post("/ceremonies/sign", json=ceremony(cohort), headers=auth("operator")).status_code == 200
    assert statuses(mou) == {"signed"}


def test_scheduling_a_ceremony_with_a_signed_agreement_schedules_none(mou, client, cohort):
    first = next(iter(cohort.values()))
    client.post(
        f"/agreements/{first}/sign",
        json={"signed_at": "2023-02-28T03:00:00Z", "signatories": [representative(), dirjen()]},
        headers=auth("operator"),
    )
    response = client.post(
        "/ceremonies/schedule",
        json={"agreement_ids": list(cohort.values()), "scheduled_at": "2023-03-01T10:00:00", "mode": "online"},
        headers=auth("operator"),
    )
    assert response.status_code == 409
    assert [f["agreement_id"] for f in response.json["failures"]] == [first]
    assert outbox_events(mou, "mou.scheduled") == []


def test_only_an_operator_holds_a_ceremony(client, cohort):
    response = client.post("/ceremonies/sign", json=ceremony(cohort), headers=auth("mentor"))
    assert response.status_code == 403
