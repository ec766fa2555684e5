"""The event envelope and catalogue accept what the design says and reject everything else."""

import uuid
from datetime import UTC, date, datetime

import pytest

from shared import events
from shared.events import EventError, new_event, parse_envelope

NOW = datetime(2023, 2, 28, 3, 0, tzinfo=UTC)


def selected(**overrides):
    data = dict(
        cohort_year=2023,
        region_code="12.01",
        region_name="Kabupaten Tapanuli Tengah",
        region_kind="kabupaten",
        timezone="Asia/Jakarta",
        rank=3,
        total=81.5,
    )
    data.update(overrides)
    return events.RegionSelectedV1(**data)


def test_new_event_builds_the_documented_envelope():
    envelope = new_event(
        "assessment.region_selected",
        source="assessment",
        subject="12.01",
        data=selected(),
        occurred_at=NOW,
        correlation_id="corr-1",
    )
    wire = envelope.to_json_dict()
    assert set(wire) == {"id", "type", "version", "occurred_at", "source", "subject", "correlation_id", "data"}
    assert wire["type"] == "assessment.region_selected" and wire["version"] == 1
    assert wire["occurred_at"] == "2023-02-28T03:00:00Z"
    assert uuid.UUID(wire["id"]).version == 4
    assert wire["data"]["region_code"] == "12.01"


def test_round_trip_through_parse_envelope():
    envelope = new_event(
        "mou.drafted",
        source="mou",
        subject="12.01",
        occurred_at=NOW,
        correlation_id="c",
        data=events.MouDraftedV1(
            agreement_id="a",
            number="NK-2023/001",
            cohort_year=2023,
            region_code="12.01",
            region_name="X",
            timezone="Asia/Jakarta",
            sign_by=date(2023, 3, 30),
        ),
    )
    parsed, data = parse_envelope(envelope.to_json_dict())
    assert parsed == envelope
    assert data.sign_by == date(2023, 3, 30)


def test_data_of_the_wrong_model_is_refused():
    with pytest.raises(EventError, match="carries MouSignedV1, not RegionSelectedV1"):
        new_event("mou.signed", source="mou", subject="12.01", data=selected(), occurred_at=NOW, correlation_id="c")


def test_a_service_may_not_publish_another_services_events():
    with pytest.raises(EventError, match="mou may not publish assessment.region_selected"):
        new_event(
            "assessment.region_selected",
            source="mou",
            subject="12.01",
            data=selected(),
            occurred_at=NOW,
            correlation_id="c",
        )


def test_any_producer_may_publish_deadlines():
    data = events.DeadlineSetV1(
        deadline_id="x",
        region_code="12.01",
        timezone="Asia/Jakarta",
        kind="k",
        title="t",
        due_at=NOW,
        audience=["kominfo_head"],
    )
    for source in ("assessment", "mou", "mentoring"):
        assert (
            new_event(
                "deadline.set", source=source, subject="12.01", data=data, occurred_at=NOW, correlation_id="c"
            ).source
            == source
        )


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda e: e.update(type="nope.unknown"), "unknown event type"),
        (lambda e: e.update(version=9), "unknown event type"),
        (lambda e: e.update(occurred_at="2023-02-28T03:00:00"), "malformed envelope"),
        (lambda e: e.pop("correlation_id"), "malformed envelope"),
        (lambda e: e.update(extra="x"), "malformed envelope"),
        (lambda e: e["data"].pop("region_code"), "data invalid"),
        (lambda e: e["data"].update(rank="first"), "data invalid"),
    ],
)
def test_malformed_messages_are_rejected_with_a_reason(mutate, message):
    wire = new_event(
        "assessment.region_selected",
        source="assessment",
        subject="12.01",
        data=selected(),
        occurred_at=NOW,
        correlation_id="c",
    ).to_json_dict()
    mutate(wire)
    with pytest.raises(EventError, match=message):
        parse_envelope(wire)


def test_consumers_ignore_fields_they_do_not_know():
    wire = new_event(
        "assessment.region_selected",
        source="assessment",
        subject="12.01",
        data=selected(),
        occurred_at=NOW,
        correlation_id="c",
    ).to_json_dict()
    wire["data"]["added_later"] = "fine"
    _, data = parse_envelope(wire)
    assert data.region_code == "12.01"


def test_every_design_event_type_is_catalogued():
    design = {
        "assessment.application_submitted",
        "assessment.region_scored",
        "assessment.region_selected",
        "assessment.region_not_selected",
        "assessment.cohort_finalized",
        "assessment.officials_changed",
        "mou.drafted",
        "mou.scheduled",
        "mou.signed",
        "mentoring.programme_started",
        "mentoring.stage_started",
        "mentoring.deliverable_submitted",
        "mentoring.deliverable_reviewed",
        "mentoring.stage_completed",
        "mentoring.programme_completed",
        "deadline.set",
        "deadline.cleared",
        "notification.sent",
        "notification.failed",
    }
    assert design <= set(events.EVENT_TYPES)
