"""MoU use cases through their commands, on an in-memory database: what each changes and which events follow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from services.mou import handlers
from services.mou.commands import (
    DraftAgreement,
    ExpireLapsedAgreements,
    RegionSigning,
    ScheduleAgreement,
    ScheduleCeremony,
    SignAgreement,
    SignCeremony,
    TerminateAgreement,
    UploadDocument,
)
from services.mou.domain import SignatoryInput
from services.mou.orm import Agreement, AuditEntry, Document, Signatory, metadata
from services.mou.tasks import subscriptions
from shared.auth import Principal
from shared.config import MouSettings
from shared.errors import Conflict, Forbidden, Invalid, NotFound, PayloadTooLarge
from shared.events import new_event
from shared.messaging.inbox import consume
from shared.storage import DocumentStore
from tests.support.memory import MemoryService
from tests.support.mou import TAPANULI_TENGAH, dirjen, head_of_region, pdf_bytes, region_selected, representative

OPERATOR = Principal(sub="operator-1", role="operator")
SELECTED_AT = datetime(2023, 2, 20, 18, 0, tzinfo=UTC)  # already 21 February in Jakarta
BOTH_PARTIES = (SignatoryInput(**representative()), SignatoryInput(**dirjen()))


@pytest.fixture
def mou() -> MemoryService:
    return MemoryService(metadata, "mou")


def draft_command(code: str = TAPANULI_TENGAH, *, cohort_year: int = 2023, timezone: str = "Asia/Jakarta"):
    return DraftAgreement(
        cohort_year=cohort_year,
        region_code=code,
        region_name=f"Kabupaten {code}",
        timezone=timezone,
        selected_at=SELECTED_AT,
        signing_days=30,
        event_id=f"event-{code}-{cohort_year}",
        event_type="assessment.region_selected",
    )


def drafted(mou: MemoryService, code: str = TAPANULI_TENGAH, **kwargs) -> str:
    return mou.run(handlers.draft_agreement, draft_command(code, **kwargs)).id


def signed(mou: MemoryService, agreement_id: str, term_days: int = 1825) -> None:
    mou.run(handlers.sign_agreement, SignAgreement(agreement_id, mou.clock.now(), BOTH_PARTIES, OPERATOR, term_days))


def status_of(mou: MemoryService, agreement_id: str) -> str:
    with mou.sessions() as session:
        return session.get(Agreement, agreement_id).status


def count(mou: MemoryService, table) -> int:
    with mou.sessions() as session:
        return session.scalar(select(func.count()).select_from(table))


# --- drafting on selection -------------------------------------------------------------------


def test_a_selection_drafts_a_numbered_agreement_with_a_signing_deadline_in_local_time(mou):
    agreement = mou.run(handlers.draft_agreement, draft_command())
    assert (agreement.status, agreement.number) == ("draft", "NK-2023/001")
    assert agreement.sign_by.isoformat() == "2023-03-23"  # 30 days from the Jakarta date of the selection
    [(_, drafted_event)] = mou.events("mou.drafted")
    assert drafted_event["sign_by"] == "2023-03-23"
    [(_, deadline)] = mou.events("deadline.set")
    assert deadline["deadline_id"] == f"mou:signing:{agreement.id}"
    assert (deadline["kind"], deadline["audience"]) == ("mou_signing", ["kominfo_head"])
    assert deadline["due_at"].startswith("2023-03-23T16:59:59.999999")  # midnight in WIB
    with mou.sessions() as session:
        [entry] = session.scalars(select(AuditEntry)).all()
    assert (entry.actor, entry.action) == ("event:assessment.region_selected", "drafted")
    assert entry.details == {"event_id": "event-12.01-2023"}


def test_a_repeated_selection_drafts_nothing_more(mou):
    drafted(mou)
    assert mou.run(handlers.draft_agreement, draft_command()) is None
    assert count(mou, Agreement) == 1
    assert [t for t, _ in mou.events()] == ["mou.drafted", "deadline.set"]


def test_numbers_run_per_cohort(mou):
    first, second = drafted(mou, "12.01"), drafted(mou, "12.02")
    other_cohort = drafted(mou, "12.01", cohort_year=2024)
    with mou.sessions() as session:
        numbers = [session.get(Agreement, i).number for i in (first, second, other_cohort)]
    assert numbers == ["NK-2023/001", "NK-2023/002", "NK-2024/001"]


def test_the_consumer_builds_the_draft_command_from_the_selection_event(mou):
    runtime = SimpleNamespace(settings=SimpleNamespace(mou=MouSettings(signing_days=14)))
    wire = new_event(
        "assessment.region_selected",
        source="assessment",
        subject=TAPANULI_TENGAH,
        data=region_selected(),
        occurred_at=SELECTED_AT,
        correlation_id="selection-1",
    ).to_json_dict()
    assert consume(mou.uow, subscriptions(runtime), wire) == "processed"
    assert consume(mou.uow, subscriptions(runtime), wire) == "duplicate"
    with mou.sessions() as session:
        [agreement] = session.scalars(select(Agreement)).all()
        [entry] = session.scalars(select(AuditEntry)).all()
    assert agreement.sign_by.isoformat() == "2023-03-07"
    assert entry.details == {"event_id": wire["id"]}


# --- scheduling, signing, terminating --------------------------------------------------------


def test_a_schedule_without_an_offset_is_wib_for_every_region_and_may_be_moved(mou):
    agreement_id = drafted(mou, timezone="Asia/Jayapura")
    local = datetime(2023, 3, 2, 10, 0)
    agreement = mou.run(
        handlers.schedule_agreement,
        ScheduleAgreement(agreement_id, local, "online", "https://meet.example/nk", OPERATOR),
    )
    assert agreement.status == "scheduled"
    assert agreement.scheduled_at == datetime(2023, 3, 2, 3, 0, tzinfo=UTC)  # 10:00 WIB, 12:00 WIT
    moved = mou.run(
        handlers.schedule_agreement,
        ScheduleAgreement(agreement_id, local + timedelta(days=1), "offline", "Aula", OPERATOR),
    )
    assert (moved.status, moved.venue) == ("scheduled", "Aula")
    events = mou.events("mou.scheduled")
    assert [e["deadline_id"] for _, e in events] == [f"mou:signing:{agreement_id}"] * 2


def test_a_schedule_in_the_past_is_refused_and_changes_nothing(mou):
    agreement_id = drafted(mou)
    with pytest.raises(Invalid):
        mou.run(
            handlers.schedule_agreement,
            ScheduleAgreement(agreement_id, mou.clock.now() - timedelta(hours=1), "offline", "Aula", OPERATOR),
        )
    assert status_of(mou, agreement_id) == "draft"
    assert mou.events("mou.scheduled") == []


def test_signing_records_both_parties_starts_the_term_and_meets_the_deadline(mou):
    agreement_id = drafted(mou)
    agreement = mou.run(
        handlers.sign_agreement, SignAgreement(agreement_id, mou.clock.now(), BOTH_PARTIES, OPERATOR, 10)
    )
    assert agreement.status == "signed"
    assert agreement.valid_until.isoformat() == "2023-03-10"
    assert count(mou, Signatory) == 2
    [(_, signed_event)] = mou.events("mou.signed")
    assert signed_event["signatories"][0]["on_behalf_of"] == "Pj Bupati Tapanuli Tengah"
    assert mou.events("deadline.cleared") == [
        (
            "deadline.cleared",
            {"deadline_id": f"mou:signing:{agreement_id}", "region_code": "12.01", "reason": "met", "version": 2},
        )
    ]


def test_signing_needs_the_ministry_and_happens_once(mou):
    agreement_id = drafted(mou)
    only_region = (SignatoryInput(**representative()),)
    with pytest.raises(Invalid):
        mou.run(handlers.sign_agreement, SignAgreement(agreement_id, mou.clock.now(), only_region, OPERATOR, 10))
    signed(mou, agreement_id)
    with pytest.raises(Conflict) as raised:
        signed(mou, agreement_id)
    assert raised.value.extra["current_state"] == "signed"
    assert len(mou.events("mou.signed")) == 1


def test_terminating_an_unsigned_agreement_cancels_its_deadline(mou):
    agreement_id = drafted(mou)
    with pytest.raises(Invalid):
        mou.run(handlers.terminate_agreement, TerminateAgreement(agreement_id, "no", OPERATOR))
    agreement = mou.run(handlers.terminate_agreement, TerminateAgreement(agreement_id, "Regional merger", OPERATOR))
    assert (agreement.status, agreement.terminated_reason) == ("terminated", "Regional merger")
    assert [e["reason"] for _, e in mou.events("deadline.cleared")] == ["cancelled"]
    with pytest.raises(Conflict):
        mou.run(handlers.terminate_agreement, TerminateAgreement(agreement_id, "Once more", OPERATOR))


def test_terminating_a_signed_agreement_clears_no_deadline_again(mou):
    agreement_id = drafted(mou)
    signed(mou, agreement_id)
    mou.run(handlers.terminate_agreement, TerminateAgreement(agreement_id, "Regional merger", OPERATOR))
    assert [e["reason"] for _, e in mou.events("deadline.cleared")] == ["met"]
    assert len(mou.events("mou.terminated")) == 1


def test_an_agreement_expires_the_day_after_its_term_in_the_regions_calendar(mou):
    agreement_id = drafted(mou)
    signed(mou, agreement_id, term_days=10)
    mou.clock.advance(timedelta(days=10))
    assert mou.run(handlers.expire_lapsed_agreements, ExpireLapsedAgreements()) == []
    mou.clock.advance(timedelta(days=1))
    assert mou.run(handlers.expire_lapsed_agreements, ExpireLapsedAgreements()) == [agreement_id]
    assert status_of(mou, agreement_id) == "expired"
    assert [e["expired_on"] for _, e in mou.events("mou.expired")] == ["2023-03-10"]
    assert mou.run(handlers.expire_lapsed_agreements, ExpireLapsedAgreements()) == []


# --- ceremonies: all or nothing --------------------------------------------------------------


def test_a_ceremony_signs_every_agreement_with_the_shared_signatory(mou):
    ids = [drafted(mou, code) for code in ("12.01", "12.02")]
    command = SignCeremony(
        mou.clock.now(),
        (SignatoryInput(**dirjen()),),
        tuple(
            RegionSigning(i, (SignatoryInput(**head_of_region(code)),))
            for i, code in zip(ids, ("12.01", "12.02"), strict=True)
        ),
        OPERATOR,
        1825,
    )
    agreements = mou.run(handlers.sign_ceremony, command)
    assert [a.status for a in agreements] == ["signed", "signed"]
    assert [e["agreement_id"] for _, e in mou.events("mou.signed")] == ids
    assert count(mou, Signatory) == 4


def test_one_refusal_leaves_every_agreement_of_the_ceremony_as_it_was(mou):
    good, already = drafted(mou, "12.01"), drafted(mou, "12.02")
    signed(mou, already)
    before = len(mou.events())
    command = ScheduleCeremony(
        (good, already, "no-such-id"), mou.clock.now() + timedelta(days=2), "offline", "Aula", OPERATOR
    )
    with pytest.raises(Conflict) as raised:
        mou.run(handlers.schedule_ceremony, command)
    failures = raised.value.extra["failures"]
    assert [(f["number"], f["status"]) for f in failures] == [("NK-2023/002", 409), (None, 404)]
    assert status_of(mou, good) == "draft"
    assert len(mou.events()) == before


def test_a_ceremony_refuses_an_agreement_listed_twice(mou):
    agreement_id = drafted(mou)
    own = (SignatoryInput(**representative()),)
    command = SignCeremony(
        mou.clock.now(),
        (SignatoryInput(**dirjen()),),
        (RegionSigning(agreement_id, own), RegionSigning(agreement_id, own)),
        OPERATOR,
        10,
    )
    with pytest.raises(Invalid):
        mou.run(handlers.sign_ceremony, command)
    assert status_of(mou, agreement_id) == "draft"


def test_a_ceremony_of_unknown_agreements_is_not_found(mou):
    command = ScheduleCeremony(("a", "b"), mou.clock.now() + timedelta(days=1), "offline", "Aula", OPERATOR)
    with pytest.raises(NotFound):
        mou.run(handlers.schedule_ceremony, command)


# --- the signed document ---------------------------------------------------------------------


def upload(mou: MemoryService, store: DocumentStore, agreement_id: str, content: bytes, **kwargs):
    command = UploadDocument(
        agreement_id,
        kwargs.get("filename", "nota.pdf"),
        content,
        kwargs.get("principal", OPERATOR),
        kwargs.get("max_bytes", 1024 * 1024),
    )
    with mou.uow() as uow:
        result = handlers.upload_document(uow, command, documents=store)
        uow.commit()
        return result


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def test_a_document_follows_the_signing_and_is_versioned_write_once(mou, tmp_path):
    store = DocumentStore(tmp_path)
    agreement_id = drafted(mou)
    with pytest.raises(Conflict):
        upload(mou, store, agreement_id, pdf_bytes())
    assert stored_files(tmp_path) == []
    signed(mou, agreement_id)
    first, created = upload(mou, store, agreement_id, pdf_bytes(), filename="")
    assert (first.version, first.filename, created) == (1, "NK-2023-001.pdf", True)
    again, created = upload(mou, store, agreement_id, pdf_bytes())
    assert (again.id, created) == (first.id, False)
    amended, created = upload(mou, store, agreement_id, pdf_bytes("amended"))
    assert (amended.version, amended.filename, created) == (2, "nota.pdf", True)
    assert store.read(first.storage_path, first.sha256) == pdf_bytes()
    with mou.sessions() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["document_uploaded", "document_amended"]
    assert count(mou, Document) == 2


def test_a_document_is_refused_when_it_is_not_a_pdf_too_large_or_another_regions(mou, tmp_path):
    store = DocumentStore(tmp_path)
    agreement_id = drafted(mou)
    signed(mou, agreement_id)
    with pytest.raises(Invalid):
        upload(mou, store, agreement_id, b"GIF89a not a pdf")
    with pytest.raises(PayloadTooLarge):
        upload(mou, store, agreement_id, pdf_bytes(padding=2048), max_bytes=1024)
    with pytest.raises(Forbidden):
        upload(mou, store, agreement_id, pdf_bytes(), principal=Principal("bupati", "region", "12.02"))
    assert count(mou, Document) == 0
    assert stored_files(tmp_path) == []
