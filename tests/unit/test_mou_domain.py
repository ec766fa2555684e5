"""MoU rules without any I/O: states, schedules in local time, signing checks and what counts as a PDF."""

from datetime import UTC, datetime, timedelta

import pytest

from services.mou import domain
from shared.errors import Conflict, Invalid, PayloadTooLarge
from tests.support.mou import pdf_bytes

NOW = datetime(2023, 2, 28, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("signed", "signed"),
        ("signed", "scheduled"),
        ("expired", "signed"),
        ("terminated", "scheduled"),
        ("draft", "expired"),
    ],
)
def test_forbidden_transitions_are_conflicts_naming_the_state(current, target):
    with pytest.raises(Conflict) as raised:
        domain.check_transition(current, target, "agreement NK-2023/001")
    assert raised.value.extra["current_state"] == current
    assert current in raised.value.detail


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("draft", "scheduled"),
        ("draft", "signed"),
        ("scheduled", "scheduled"),
        ("scheduled", "signed"),
        ("signed", "expired"),
    ],
)
def test_the_lifecycle_moves_forward(current, target):
    domain.check_transition(current, target)


def test_a_ceremony_time_without_an_offset_is_read_in_the_ministry_s_zone():
    at = domain.signing_at(datetime(2023, 2, 28, 10, 0))
    assert at.tzinfo is UTC and at.strftime("%H:%M") == "03:00"


def test_an_aware_ceremony_time_is_kept():
    given = datetime(2023, 2, 28, 10, 0, tzinfo=UTC)
    assert domain.signing_at(given) == given


def test_a_schedule_in_the_past_is_refused():
    with pytest.raises(Invalid):
        domain.check_schedule(NOW - timedelta(minutes=1), NOW, "online", None)


def test_representation_must_name_whom():
    signatories = [
        domain.SignatoryInput("region", "Sugiharto", "Plh Sekda", "Plh", " "),
        domain.SignatoryInput("ministry", "Semuel", "Dirjen Aptika"),
    ]
    with pytest.raises(Invalid) as raised:
        domain.check_signatories(signatories)
    assert raised.value.extra["errors"][0]["field"] == "signatories[0].on_behalf_of"


def test_termination_needs_a_reason():
    with pytest.raises(Invalid):
        domain.check_termination("draft", "  ")
    with pytest.raises(Conflict):
        domain.check_termination("expired", "Regional merger")


def test_a_well_formed_pdf_passes():
    domain.check_pdf(pdf_bytes(), 10_000)


def test_a_pdf_with_bytes_after_its_end_marker_passes():
    domain.check_pdf(pdf_bytes() + b"\r\n\x00\x00", 10_000)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x89PNG\r\n\x1a\n",
        b"%PDF-1.7\n%%EOF\n",  # no objects, no cross-reference
        pdf_bytes().replace(b"%PDF-1.7", b"%PDF-3.1"),
        pdf_bytes().replace(b"%%EOF", b""),
        pdf_bytes().replace(b"startxref", b"startXXXX"),
    ],
)
def test_anything_else_is_not_a_pdf(content):
    with pytest.raises(Invalid):
        domain.check_pdf(content, 10_000)


def test_size_is_checked_before_content():
    with pytest.raises(PayloadTooLarge):
        domain.check_pdf(b"x" * 101, 100)


def test_a_batch_lists_each_agreement_once():
    with pytest.raises(Invalid):
        domain.check_unique_ids(["a", "b", "a"])


@pytest.mark.parametrize(
    ("current", "target", "closed"),
    [
        ("draft", "scheduled", None),
        ("scheduled", "scheduled", None),
        ("draft", "signed", "met"),
        ("scheduled", "signed", "met"),
        ("draft", "terminated", "cancelled"),
        ("scheduled", "terminated", "cancelled"),
        ("signed", "terminated", None),
        ("signed", "expired", None),
    ],
)
def test_the_signing_deadline_closes_when_the_agreement_stops_being_signable(current, target, closed):
    assert domain.closes_signing_deadline(current, target) == closed


def test_a_new_agreement_opens_its_signing_deadline_and_only_signed_ones_expire():
    assert domain.opens_signing_deadline(domain.INITIAL)
    assert domain.states_that_may_become(domain.EXPIRED) == (domain.SIGNED,)
    assert domain.has_lapsed(NOW.date() - timedelta(days=1), NOW.date())
    assert not domain.has_lapsed(NOW.date(), NOW.date())


def test_a_document_waits_for_the_signing_and_is_named_after_the_agreement_by_default():
    with pytest.raises(Conflict) as raised:
        domain.check_document_upload("scheduled", None, "agreement NK-2023/001")
    assert raised.value.extra["current_state"] == "scheduled"
    domain.check_document_upload("terminated", NOW, "agreement NK-2023/001")
    assert domain.document_filename("", "NK-2023/001") == "NK-2023-001.pdf"
    assert domain.document_filename("nota.pdf", "NK-2023/001") == "nota.pdf"
