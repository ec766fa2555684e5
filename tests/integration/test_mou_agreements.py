"""MoU agreements on a real database: drafting from selection, scheduling, signing, termination, audit."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from services.mou.app import create_app
from services.mou.orm import Agreement, Signatory
from tests.conftest import auth
from tests.support.mou import (
    TAPANULI_TENGAH,
    deliver,
    dirjen,
    draft,
    outbox_events,
    region_selected,
    representative,
    selection_event,
)


@pytest.fixture
def mou(make_runtime):
    return make_runtime("mou")


@pytest.fixture
def client(mou):
    return create_app(mou).test_client()


def count_agreements(runtime):
    with runtime.session_factory() as session:
        return session.scalar(select(func.count()).select_from(Agreement))


def test_a_redelivered_region_selected_creates_one_agreement(mou):
    wire = selection_event(mou, region_selected())
    assert deliver(mou, wire) == "processed"
    assert deliver(mou, wire) == "duplicate"
    # The assessment service re-running its selection publishes a new event for the same region and cohort.
    assert deliver(mou, selection_event(mou, region_selected())) == "processed"
    assert count_agreements(mou) == 1
    assert [e["type"] for e in outbox_events(mou)] == ["mou.drafted", "deadline.set"]


def test_agreements_are_numbered_from_a_register_per_cohort(mou):
    draft(mou, "12.01")
    draft(mou, "12.02")
    draft(mou, "12.01", cohort_year=2024)
    with mou.session_factory() as session:
        numbers = {(a.cohort_year, a.region_code): a.number for a in session.scalars(select(Agreement))}
    assert numbers == {(2023, "12.01"): "NK-2023/001", (2023, "12.02"): "NK-2023/002", (2024, "12.01"): "NK-2024/001"}


def test_the_signing_deadline_ends_the_configured_day_in_the_region_s_zone(mou):
    draft(mou, "94.71", timezone="Asia/Jayapura")
    [deadline] = outbox_events(mou, "deadline.set")
    # Selected on 28 Feb 2023 (12:00 WIT); 30 days later is 30 Mar, ending at midnight WIT (UTC+9).
    assert deadline["data"]["due_at"] == "2023-03-30T14:59:59.999999Z"
    assert deadline["data"]["kind"] == "mou_signing"


def test_a_representative_signing_is_recorded_and_published(mou, client):
    agreement_id = draft(mou)
    response = client.post(
        f"/agreements/{agreement_id}/sign",
        json={"signed_at": "2023-02-28T10:00:00+07:00", "signatories": [representative(), dirjen()]},
        headers=auth("operator", sub="operator-budi"),
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "signed"
    assert body["valid_until"] == "2028-02-27"
    region_signatory = next(s for s in body["signatories"] if s["party"] == "region")
    assert region_signatory["on_behalf_of"] == "Pj Bupati Tapanuli Tengah"
    assert region_signatory["acting"] == "Plh"
    with mou.session_factory() as session:
        stored = session.scalars(select(Signatory).where(Signatory.on_behalf_of.is_not(None))).one()
    assert stored.name == "Sugiharto Hutabarat"
    [signed] = outbox_events(mou, "mou.signed")
    assert signed["data"]["agreement_id"] == agreement_id
    assert signed["data"]["signatories"][0] == {**representative(), "title": None}
    assert signed["data"]["signatories"][1]["on_behalf_of"] is None
    [cleared] = outbox_events(mou, "deadline.cleared")
    assert cleared["data"] == {
        "deadline_id": f"mou:signing:{agreement_id}",
        "region_code": TAPANULI_TENGAH,
        "reason": "met",
        "version": 2,  # set when drafted, met when signed
    }


def test_signing_twice_is_a_conflict_that_names_the_state(mou, client):
    agreement_id = draft(mou)
    body = {"signed_at": "2023-02-28T03:00:00Z", "signatories": [representative(), dirjen()]}
    assert client.post(f"/agreements/{agreement_id}/sign", json=body, headers=auth("operator")).status_code == 200
    again = client.post(f"/agreements/{agreement_id}/sign", json=body, headers=auth("operator"))
    assert again.status_code == 409
    assert again.mimetype == "application/problem+json"
    assert again.json["current_state"] == "signed"
    assert len(outbox_events(mou, "mou.signed")) == 1


@pytest.mark.parametrize("role", ["region", "mentor", "assessor", "service"])
def test_only_an_operator_signs(mou, client, role):
    agreement_id = draft(mou)
    body = {"signed_at": "2023-02-28T03:00:00Z", "signatories": [representative(), dirjen()]}
    response = client.post(
        f"/agreements/{agreement_id}/sign",
        json=body,
        headers=auth(role, region=TAPANULI_TENGAH if role == "region" else None),
    )
    assert response.status_code == 403
    assert outbox_events(mou, "mou.signed") == []


@pytest.mark.parametrize(
    ("signed_at", "signatories", "field"),
    [
        ("2023-02-28T04:00:00Z", None, "signed_at"),  # an hour after the clock: the future
        ("2023-02-27T03:00:00Z", None, "signed_at"),  # before the agreement existed
        ("2023-02-28T03:00:00Z", [representative(), representative()], "signatories"),  # no ministry signatory
    ],
)
def test_signing_rules_are_checked(mou, client, signed_at, signatories, field):
    agreement_id = draft(mou)
    response = client.post(
        f"/agreements/{agreement_id}/sign",
        json={"signed_at": signed_at, "signatories": signatories or [representative(), dirjen()]},
        headers=auth("operator"),
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == field


def test_a_region_sees_only_its_own_agreements(mou, client):
    own = draft(mou, "12.01")
    other = draft(mou, "12.02")
    headers = auth("region", region="12.01")
    listed = client.get("/agreements?region=12.02", headers=headers).json
    assert [a["id"] for a in listed["items"]] == [own]
    assert client.get(f"/agreements/{other}", headers=headers).status_code == 403


def test_a_time_without_an_offset_is_the_ministry_s_wib_for_every_region(mou, client):
    """One ceremony is one instant: 10.00 WIB in Jakarta is 12.00 WIT in Jayapura, not 10.00 WIT."""
    for code, zone in (("73.71", "Asia/Makassar"), ("94.71", "Asia/Jayapura")):
        agreement_id = draft(mou, code, timezone=zone)
        response = client.post(
            f"/agreements/{agreement_id}/schedule",
            json={"scheduled_at": "2023-03-02T10:00:00", "mode": "online", "venue": "https://zoom.example/j/2802"},
            headers=auth("operator"),
        )
        assert response.status_code == 200, response.json
        assert response.json["status"] == "scheduled"
        assert response.json["scheduled_at"] == "2023-03-02T03:00:00Z"  # 10:00 WIB
    scheduled = outbox_events(mou, "mou.scheduled")
    assert {e["data"]["scheduled_at"] for e in scheduled} == {"2023-03-02T03:00:00Z"}
    assert [e["data"]["timezone"] for e in scheduled] == ["Asia/Makassar", "Asia/Jayapura"]


def test_sending_the_same_schedule_twice_invites_nobody_twice(mou, client):
    agreement_id = draft(mou)
    body = {"scheduled_at": "2023-03-02T10:00:00+07:00", "mode": "online", "venue": "https://zoom.example/j/1"}
    first = client.post(f"/agreements/{agreement_id}/schedule", json=body, headers=auth("operator"))
    again = client.post(f"/agreements/{agreement_id}/schedule", json=body, headers=auth("operator"))
    assert first.status_code == again.status_code == 200
    assert again.json == first.json
    assert len(outbox_events(mou, "mou.scheduled")) == 1
    moved = client.post(
        f"/agreements/{agreement_id}/schedule",
        json={**body, "scheduled_at": "2023-03-03T10:00:00+07:00"},
        headers=auth("operator"),
    )
    assert moved.status_code == 200 and len(outbox_events(mou, "mou.scheduled")) == 2


def test_an_aware_time_is_kept_as_the_instant_it_names(mou, client):
    agreement_id = draft(mou, "73.71", timezone="Asia/Makassar")
    response = client.post(
        f"/agreements/{agreement_id}/schedule",
        json={"scheduled_at": "2023-03-02T10:00:00+07:00", "mode": "offline", "venue": "Gedung Kominfo, Jakarta"},
        headers=auth("operator"),
    )
    assert response.json["scheduled_at"] == "2023-03-02T03:00:00Z"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scheduled_at": "2023-02-27T10:00:00", "mode": "online"}, "scheduled_at"),
        ({"scheduled_at": "2023-03-02T10:00:00", "mode": "offline"}, "venue"),
        ({"scheduled_at": "2023-03-02T10:00:00", "mode": "online", "venue": "Ruang Rapat"}, "venue"),
    ],
)
def test_a_schedule_must_lie_ahead_and_say_where(mou, client, body, field):
    agreement_id = draft(mou)
    response = client.post(f"/agreements/{agreement_id}/schedule", json=body, headers=auth("operator"))
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == field


def test_terminating_an_unsigned_agreement_cancels_its_signing_deadline(mou, client):
    agreement_id = draft(mou)
    response = client.post(
        f"/agreements/{agreement_id}/terminate",
        json={"reason": "The region withdrew from the programme"},
        headers=auth("operator"),
    )
    assert response.status_code == 200
    assert response.json["status"] == "terminated"
    assert response.json["terminated_reason"] == "The region withdrew from the programme"
    [terminated] = outbox_events(mou, "mou.terminated")
    assert terminated["data"]["reason"] == "The region withdrew from the programme"
    [cleared] = outbox_events(mou, "deadline.cleared")
    assert cleared["data"]["reason"] == "cancelled"
    again = client.post(f"/agreements/{agreement_id}/terminate", json={"reason": "twice"}, headers=auth("operator"))
    assert again.status_code == 409 and again.json["current_state"] == "terminated"


def test_terminating_a_signed_agreement_leaves_no_deadline_to_clear(mou, client):
    agreement_id = draft(mou)
    client.post(
        f"/agreements/{agreement_id}/sign",
        json={"signed_at": "2023-02-28T03:00:00Z", "signatories": [representative(), dirjen()]},
        headers=auth("operator"),
    )
    response = client.post(
        f"/agreements/{agreement_id}/terminate", json={"reason": "Regional merger"}, headers=auth("operator")
    )
    assert response.status_code == 200
    assert [e["data"]["reason"] for e in outbox_events(mou, "deadline.cleared")] == ["met"]


def test_a_signed_agreement_expires_after_its_term(mou, clock):
    from services.mou import handlers
    from services.mou.commands import ExpireLapsedAgreements, SignAgreement

    agreement_id = draft(mou)
    with mou.uow() as uow:
        from services.mou.domain import SignatoryInput
        from shared.auth import Principal

        handlers.sign_agreement(
            uow,
            SignAgreement(
                agreement_id,
                clock.now(),
                (SignatoryInput(**representative()), SignatoryInput(**dirjen())),
                Principal(sub="operator", role="operator"),
                term_days=mou.settings.mou.term_days,
            ),
        )
        uow.commit()
    clock.advance(timedelta(days=mou.settings.mou.term_days))
    with mou.uow() as uow:
        # the last day of the term is still valid
        assert handlers.expire_lapsed_agreements(uow, ExpireLapsedAgreements()) == []
    clock.advance(timedelta(days=1))
    with mou.uow() as uow:
        assert handlers.expire_lapsed_agreements(uow, ExpireLapsedAgreements()) == [agreement_id]
        uow.commit()
    [expired] = outbox_events(mou, "mou.expired")
    assert expired["data"]["expired_on"] == "2028-02-27"


def test_the_audit_trail_says_who_did_what_when_and_from_which_request(mou, client, clock):
    agreement_id = draft(mou)
    clock.advance(timedelta(minutes=5))
    client.post(
        f"/agreements/{agreement_id}/schedule",
        json={"scheduled_at": "2023-03-01T09:00:00", "mode": "online", "venue": "https://zoom.example/j/1"},
        headers={**auth("operator", sub="operator-sari"), "X-Correlation-ID": "req-schedule-1"},
    )
    trail = client.get(f"/agreements/{agreement_id}/audit", headers=auth("operator")).json
    assert [(e["action"], e["actor"]) for e in trail["items"]] == [
        ("drafted", "event:assessment.region_selected"),
        ("scheduled", "operator-sari"),
    ]
    scheduled = trail["items"][1]
    assert scheduled["correlation_id"] == "req-schedule-1"
    assert scheduled["at"] == "2023-02-28T03:05:00Z"
    assert scheduled["details"]["scheduled_at"] == "2023-03-01T02:00:00+00:00"
    assert client.get(f"/agreements/{agreement_id}/audit", headers=auth("mentor")).status_code == 403


def test_an_unknown_agreement_is_not_found(client):
    response = client.get("/agreements/no-such-agreement", headers=auth("operator"))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_control_characters_are_refused_before_they_reach_the_database(mou, client):
    agreement_id = draft(mou)
    nul = {**representative(), "name": "Sugiharto\x00Hutabarat"}
    response = client.post(
        f"/agreements/{agreement_id}/sign",
        json={"signed_at": "2023-02-28T03:00:00Z", "signatories": [nul, dirjen()]},
        headers=auth("operator"),
    )
    assert response.status_code == 422
    reason = client.post(
        f"/agreements/{agreement_id}/terminate", json={"reason": "Withdrew\x00"}, headers=auth("operator")
    )
    assert reason.status_code == 422
    assert client.get("/agreements/bad%00id", headers=auth("operator")).status_code == 422


def test_scheduling_moves_the_signing_deadline_to_the_ceremony_and_nobody_is_escalated_for_it(mou, client):
    """The ministry set the ceremony for later than thirty days after selection: the signing deadline is
    the ceremony's day, reminded the day before, never escalated as overdue for the old date."""
    agreement_id = draft(mou, "94.71", timezone="Asia/Jayapura")
    [drafted] = outbox_events(mou, "deadline.set")
    assert drafted["data"]["reminders"] == "standard" and drafted["data"]["due_at"].startswith("2023-03-30")
    body = {"scheduled_at": "2023-04-05T10:00:00", "mode": "online", "venue": "https://zoom.example/j/1"}
    response = client.post(f"/agreements/{agreement_id}/schedule", json=body, headers=auth("operator"))
    assert response.status_code == 200, response.json
    assert response.json["sign_by"] == "2023-04-05"
    moved = outbox_events(mou, "deadline.set")[-1]["data"]
    # The end of 5 April in Jayapura (WIT, UTC+9), reminded only the day before.
    assert moved["due_at"] == "2023-04-05T14:59:59.999999Z"
    assert (moved["reminders"], moved["version"]) == ("day_before", 2)
    again = client.post(
        f"/agreements/{agreement_id}/schedule",
        json={**body, "scheduled_at": "2023-04-12T10:00:00"},
        headers=auth("operator"),
    )
    assert again.json["sign_by"] == "2023-04-12"
    assert outbox_events(mou, "deadline.set")[-1]["data"]["version"] == 3
    assert [e["data"]["sequence"] for e in outbox_events(mou, "mou.scheduled")] == [1, 2]


def test_a_signing_keeps_attendees_both_numbers_and_academic_titles(mou, client):
    agreement_id = draft(mou)
    client.post(
        f"/agreements/{agreement_id}/schedule",
        json={
            "scheduled_at": "2023-02-28T10:00:00",
            "mode": "online",
            "venue": "https://zoom.example/j/2802",
            "attendees": ["bappeda_head", "bpkpad_head", "kominfo_head"],
        },
        headers=auth("operator"),
    )
    signing = {
        "signed_at": "2023-02-28T03:00:00Z",
        "signatories": [{**representative(), "title": "S.H., M.Si."}, dirjen()],
        "region_number": "180/12/NK/2023",
        "ministry_number": "NK.01/DJAI/2023",
        "attendees": ["Kepala Bappeda", "Kepala BPKPAD", "Kepala Dinas Kominfo"],
    }
    response = client.post(f"/agreements/{agreement_id}/sign", json=signing, headers=auth("operator"))
    assert response.status_code == 200, response.json
    agreement = response.json
    assert agreement["attendees_invited"] == ["bappeda_head", "bpkpad_head", "kominfo_head"]
    assert (agreement["region_number"], agreement["ministry_number"]) == ("180/12/NK/2023", "NK.01/DJAI/2023")
    assert agreement["attendees"] == ["Kepala Bappeda", "Kepala BPKPAD", "Kepala Dinas Kominfo"]
    assert agreement["signatories"][0]["title"] == "S.H., M.Si."
    [signed] = outbox_events(mou, "mou.signed")
    assert signed["data"]["region_number"] == "180/12/NK/2023"
    assert signed["data"]["signatories"][0]["title"] == "S.H., M.Si."
    [scheduled] = outbox_events(mou, "mou.scheduled")
    assert scheduled["data"]["attendees"] == ["bappeda_head", "bpkpad_head", "kominfo_head"]
