"""Assessment use cases through their commands, on an in-memory database: what each changes and records."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.assessment import commands, domain, handlers
from services.assessment.orm import metadata
from services.assessment.repository import get_application, get_cohort
from shared.auth import Principal
from shared.errors import Conflict, Forbidden, Invalid
from tests.support.memory import MemoryService

OPERATOR = Principal("op", "operator")
ASSESSOR = Principal("asesor-1", "assessor")
TAPTENG = Principal("tapteng", "region", region="12.01")
WIB = "Asia/Jakarta"
REGISTER = (
    domain.RegionRecord("12", "Sumatera Utara", "provinsi", None, WIB),
    domain.RegionRecord("12.01", "Kabupaten Tapanuli Tengah", "kabupaten", "12", WIB),
    domain.RegionRecord("12.71", "Kota Medan", "kota", "12", WIB),
)
RUBRIC = (
    {"key": "struktur", "label": "Struktur", "group": "kesiapan", "weight": 1},
    {"key": "tata_kelola", "label": "Smart governance", "group": "dimensi", "weight": 3},
)
EVIDENCE = ("https://tapteng.example/sk.pdf",)
AFTER_WINDOW = datetime(2022, 8, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def service():
    service = MemoryService(metadata, "assessment", at=datetime(2022, 7, 1, 3, 0, tzinfo=UTC))
    service.run(handlers.import_regions, commands.ImportRegions(REGISTER))
    service.run(
        handlers.open_cohort,
        commands.OpenCohort(
            year=2023,
            quotas={"provinsi": 1, "kabkota": 1},
            applications_open_at=datetime(2022, 6, 1, tzinfo=UTC),
            applications_close_at=datetime(2022, 7, 31, 16, 59, tzinfo=UTC),
            assessment_due_at=datetime(2022, 10, 31, 16, 59, tzinfo=UTC),
            rubric=RUBRIC,
        ),
    )
    return service


def answer(key: str, score: float | None = 70, evidence: tuple[str, ...] = EVIDENCE) -> domain.Answer:
    return domain.Answer(key, score, "ada", evidence)


def apply(service, code="12.01", actor=TAPTENG, answers=None) -> str:
    command = commands.SubmitApplication(2023, code, answers or {}, actor)
    return service.run(handlers.submit_application, command).id


def deadline_events(service):
    return [(t, d["deadline_id"], d.get("reason")) for t, d in service.events() if t.startswith("deadline.")]


def test_importing_the_register_counts_what_changed_and_nothing_twice(service):
    again = service.run(handlers.import_regions, commands.ImportRegions(REGISTER))
    assert again == {"created": 0, "updated": 0, "unchanged": 3}
    renamed = (*REGISTER[:2], domain.RegionRecord("12.71", "Kota Medan (baru)", "kota", "12", WIB))
    assert service.run(handlers.import_regions, commands.ImportRegions(renamed))["updated"] == 1


def test_a_new_application_opens_both_deadlines_when_the_self_assessment_is_incomplete(service):
    apply(service)
    assert deadline_events(service) == [
        ("deadline.set", "assessment:2023:self_assessment:12.01", None),
        ("deadline.set", "assessment:2023:assessment:12.01", None),
    ]
    assert [t for t, _ in service.events("assessment.application_submitted")] == ["assessment.application_submitted"]


def test_completing_the_answers_meets_the_self_assessment_deadline(service):
    application_id = apply(service, answers={"struktur": answer("struktur")})
    answers = {"tata_kelola": answer("tata_kelola")}
    service.run(handlers.update_answers, commands.UpdateAnswers(application_id, answers, TAPTENG))
    assert deadline_events(service)[-1] == ("deadline.cleared", "assessment:2023:self_assessment:12.01", "met")


def test_a_region_cannot_apply_for_another(service):
    with pytest.raises(Forbidden):
        apply(service, code="12.71", actor=TAPTENG)
    assert service.events() == []


def test_full_sheets_score_the_application_and_meet_the_assessment_deadline(service):
    application_id = apply(service)
    partial = commands.RecordScores(application_id, {"struktur": 80}, ASSESSOR)
    assert service.run(handlers.record_scores, partial).status == "under_assessment"
    full = commands.RecordScores(application_id, {"struktur": 80, "tata_kelola": 60}, ASSESSOR)
    application = service.run(handlers.record_scores, full)
    assert application.status == "scored" and application.total == pytest.approx(65.0)
    assert deadline_events(service)[-2:] == [
        ("deadline.cleared", "assessment:2023:self_assessment:12.01", "cancelled"),
        ("deadline.cleared", "assessment:2023:assessment:12.01", "met"),
    ]


def test_a_score_outside_the_scale_changes_nothing(service):
    application_id = apply(service)
    before = len(service.events())
    with pytest.raises(Invalid):
        service.run(handlers.record_scores, commands.RecordScores(application_id, {"struktur": 101}, ASSESSOR))
    assert len(service.events()) == before


def test_withdrawal_cancels_what_was_still_open_and_cannot_follow_selection(service):
    application_id = apply(service)
    service.run(handlers.withdraw_application, commands.WithdrawApplication(application_id, "anggaran", TAPTENG))
    assert {(d, r) for t, d, r in deadline_events(service) if t == "deadline.cleared"} == {
        ("assessment:2023:self_assessment:12.01", "cancelled"),
        ("assessment:2023:assessment:12.01", "cancelled"),
    }
    with pytest.raises(Conflict):
        service.run(handlers.withdraw_application, commands.WithdrawApplication(application_id, "lagi", TAPTENG))


def test_selection_fills_each_quota_once_and_finalises_the_cohort(service):
    for code, value in (("12.01", 90), ("12.71", 70)):
        actor = Principal(code, "region", region=code)
        application_id = apply(service, code=code, actor=actor)
        service.run(
            handlers.record_scores,
            commands.RecordScores(application_id, {"struktur": value, "tata_kelola": value}, ASSESSOR),
        )
    service.clock.set(AFTER_WINDOW)
    service.run(handlers.run_selection, commands.RunSelection(2023))
    service.run(handlers.run_selection, commands.RunSelection(2023))
    assert [d["region_code"] for _, d in service.events("assessment.region_selected")] == ["12.01"]
    assert [d["region_code"] for _, d in service.events("assessment.region_not_selected")] == ["12.71"]
    with service.uow() as uow:
        assert get_cohort(uow, 2023).status == "finalized"


def test_selection_with_unscored_applications_needs_force_and_a_reason(service):
    application_id = apply(service)
    service.clock.set(AFTER_WINDOW)
    with pytest.raises(Conflict):
        service.run(handlers.run_selection, commands.RunSelection(2023))
    with pytest.raises(Invalid):
        service.run(handlers.run_selection, commands.RunSelection(2023, force=True, reason=" "))
    service.run(handlers.run_selection, commands.RunSelection(2023, force=True, reason="batas waktu"))
    with service.uow() as uow:
        assert get_application(uow, application_id).status == "not_selected"
    assert ("deadline.cleared", "assessment:2023:assessment:12.01", "cancelled") in deadline_events(service)


def test_moving_the_window_announces_the_open_deadlines_again(service):
    apply(service)
    moved = datetime(2022, 8, 15, 16, 59, tzinfo=UTC)
    service.run(handlers.change_cohort, commands.ChangeCohort(2023, applications_close_at=moved))
    last = [(t, d) for t, d in service.events("deadline.set")][-1][1]
    assert last["deadline_id"] == "assessment:2023:self_assessment:12.01"
    assert last["due_at"].startswith("2022-08-15T16:59")


def test_replacing_officials_keeps_history_and_reports_changed_roles(service):
    line_up = (domain.OfficialRecord("kominfo_head", "Fachrul Rozi", "kominfo@tapteng.example"),)
    command = commands.ReplaceOfficials("12.01", line_up, OPERATOR, domain.OFFICIAL_ROLES)
    assert service.run(handlers.replace_officials, command) == ["kominfo_head"]
    assert service.run(handlers.replace_officials, command) == []
    assert [d["roles"] for _, d in service.events("assessment.officials_changed")] == [["kominfo_head"]]


def test_selection_before_the_window_closes_is_refused_unless_forced_with_a_reason(service):
    apply(service)
    with pytest.raises(Conflict, match="open until"):
        service.run(handlers.run_selection, commands.RunSelection(2023))
    service.run(
        handlers.run_selection, commands.RunSelection(2023, force=True, reason="penetapan dipercepat", actor=OPERATOR)
    )
    with service.uow() as uow:
        cohort = get_cohort(uow, 2023)
        assert cohort.status == "finalized" and cohort.forced_reason == "penetapan dipercepat"
