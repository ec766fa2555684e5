"""Every mentoring use case through its command, on an in-memory database: what it changes, which events
and deadlines it records, and what it refuses."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from services.mentoring import domain, handlers, views
from services.mentoring.commands import (
    AssignMentor,
    ConfirmEvaluation,
    DeliverableFile,
    RescheduleMilestone,
    RescheduleSession,
    ReviewSubmission,
    SelfAssess,
    SetEvaluationWeights,
    SetPlanTemplate,
    StartProgramme,
    SubmitDeliverable,
    UnassignMentor,
)
from services.mentoring.orm import Milestone, MilestoneChange, Programme, Stage, metadata
from services.mentoring.tasks import start_programme_command, subscriptions
from shared.auth import Principal
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.events import EventError, StageChangedV1, milestone_deadline_id, parse_envelope, session_deadline_id
from shared.messaging.inbox import consume
from tests.support.memory import MemoryService
from tests.support.mentoring import mou_signed, wire

OPERATOR = Principal(sub="op-ani", role="operator")
MENTOR = Principal(sub="mentor-rina", role="mentor")
REGION = Principal(sub="kominfo-tapteng", role="region", region="12.01")
ASSESSOR = Principal(sub="assessor-dewi", role="assessor")
SCORES = {"baseline": 80, "output": 70, "outcome": 60, "impact": 50, "quick_win": 90}
PDF = DeliverableFile(filename="sk-dewan.pdf", content_type="application/pdf", size_bytes=4096, sha256="ab" * 32)


@pytest.fixture
def service() -> MemoryService:
    return MemoryService(metadata, "mentoring")


def signed(**kwargs: object) -> StartProgramme:
    """The command the consumer builds from a ``mou.signed`` as it arrives on the wire."""
    return start_programme_command(*parse_envelope(wire(mou_signed(**kwargs))))  # type: ignore[arg-type]


def start(service: MemoryService, **kwargs: object) -> Programme:
    programme = service.run(handlers.start_programme, signed(**kwargs))
    assert programme is not None
    return programme


def milestones(service: MemoryService, programme_id: str) -> dict[str, Milestone]:
    with service.uow() as uow:
        rows = {m.key: m for m in uow.session.scalars(select(Milestone).where(Milestone.programme_id == programme_id))}
        # Kept as read, after the unit of work ends without a commit.
        uow.session.expunge_all()
        return rows


def stages(service: MemoryService, programme_id: str) -> dict[str, str]:
    with service.uow() as uow:
        return {s.key: s.status for s in uow.session.scalars(select(Stage).where(Stage.programme_id == programme_id))}


@pytest.fixture
def programme(service: MemoryService) -> Programme:
    programme = start(service)
    service.run(handlers.assign_mentor, AssignMentor(programme.id, MENTOR.sub, "Rina", OPERATOR))
    return programme


def hand_in_and_accept(service: MemoryService, milestone_id: str) -> None:
    submission = service.run(
        handlers.submit_deliverable, SubmitDeliverable(milestone_id, REGION, link="https://x.example/d")
    )
    service.run(handlers.review_submission, ReviewSubmission(submission.id, MENTOR, "accept"))


# --- StartProgramme -----------------------------------------------------------------------------


def test_a_signed_mou_becomes_a_programme_with_a_deadline_per_milestone_once(service):
    programme = start(service, agreement_id="agr-1")
    planned = milestones(service, programme.id)
    assert programme.signed_on == date(2023, 2, 28) and programme.template == "default@2"
    assert planned["sk_dewan_smart_city"].due_date == date(2023, 4, 29)
    assert {m.status for m in planned.values()} == {"open"}
    deadlines = {d["deadline_id"]: d for _, d in service.events("deadline.set")}
    assert {milestone_deadline_id(m.id) for m in planned.values()} <= set(deadlines)
    assert {d["reminders"] for i, d in deadlines.items() if i.startswith("mentoring:milestone:")} == {"standard"}

    again = StartProgramme("agr-1", 2023, "12.01", "Kabupaten Tapanuli Tengah", "Asia/Jakarta", programme.created_at)
    assert service.run(handlers.start_programme, again) is None
    assert len(service.events("mentoring.programme_started")) == 1
    assert len(service.events("deadline.set")) == len(deadlines)


def test_the_stage_of_the_work_due_first_is_current_and_every_stage_before_it_has_started(service, programme):
    # Buku I is due on 6 April, before the decrees of 29 April: Bimtek I is current, the decrees' stage runs too.
    assert {k: v for k, v in stages(service, programme.id).items() if v != "pending"} == {
        "kelembagaan": "active",
        "bimtek_1": "active",
    }
    assert [d["stage_key"] for _, d in service.events("mentoring.stage_started")] == ["kelembagaan", "bimtek_1"]
    with service.uow() as uow:
        assert views.programme_view(uow, programme)["current_stage"] == "bimtek_1"
        assert views.programme_progress(uow, programme)["stage"]["key"] == "bimtek_1"
    planned = milestones(service, programme.id)
    hand_in_and_accept(service, planned["buku_1"].id)
    with service.uow() as uow:
        assert views.programme_view(uow, programme)["current_stage"] == "kelembagaan"
    assert stages(service, programme.id)["bimtek_1"] == "completed"
    # Buku III moved ahead of the decrees: Bimtek II and III start, no stage is passed over.
    service.run(
        handlers.reschedule_milestone, RescheduleMilestone(planned["buku_3"].id, date(2023, 4, 20), None, MENTOR)
    )
    with service.uow() as uow:
        assert views.programme_view(uow, programme)["current_stage"] == "bimtek_3"
    assert [d["stage_key"] for _, d in service.events("mentoring.stage_started")][2:] == ["bimtek_2", "bimtek_3"]
    assert (stages(service, programme.id)["bimtek_2"], stages(service, programme.id)["bimtek_4"]) == (
        "active",
        "pending",
    )


def test_each_bimtek_session_is_announced_with_a_day_before_reminder(service, programme):
    announced = [d for _, d in service.events("mentoring.session_scheduled")]
    assert [(d["stage_key"], d["starts_on"], d["ends_on"], d["sequence"]) for d in announced] == [
        ("bimtek_1", "2023-03-21", "2023-03-22", 0),
        ("bimtek_2", "2023-04-20", "2023-04-21", 0),
        ("bimtek_3", "2023-05-20", "2023-05-21", 0),
        ("bimtek_4", "2023-06-19", "2023-06-20", 0),
    ]
    first = announced[0]
    assert first["title"].startswith("Bimtek I:")
    assert first["audience"] == ["regional_secretary", "kominfo_head", "bappeda_head"]
    assert (first["region_name"], first["timezone"], first["programme_id"]) == (
        "Kabupaten Tapanuli Tengah",
        "Asia/Jakarta",
        programme.id,
    )
    reminders = {d["deadline_id"]: d for _, d in service.events("deadline.set")}
    reminder = reminders[session_deadline_id(first["session_id"])]
    assert reminder["reminders"] == "day_before" and reminder["audience"] == first["audience"]
    # Due when the session opens on its first morning, 08:00 WIB.
    assert datetime.fromisoformat(reminder["due_at"]) == datetime(2023, 3, 21, 1, tzinfo=UTC)
    with service.uow() as uow:
        [session] = [s["session"] for s in views.programme_view(uow, programme)["stages"] if s["key"] == "bimtek_1"]
    assert session["id"] == first["session_id"]


def test_a_moved_session_is_announced_again_with_the_next_sequence(service, programme):
    session_id = next(d["session_id"] for _, d in service.events("mentoring.session_scheduled"))
    moved = service.run(handlers.reschedule_session, RescheduleSession(session_id, MENTOR, starts_on=date(2023, 3, 27)))
    assert (moved.starts_on, moved.ends_on, moved.sequence) == (date(2023, 3, 27), date(2023, 3, 28), 1)
    again = service.events("mentoring.session_scheduled")[-1][1]
    assert (again["session_id"], again["starts_on"], again["ends_on"], again["sequence"]) == (
        session_id,
        "2023-03-27",
        "2023-03-28",
        1,
    )
    reminder = service.events("deadline.set")[-1][1]
    assert reminder["deadline_id"] == session_deadline_id(session_id) and reminder["version"] == 2
    assert reminder["reminders"] == "day_before"
    assert datetime.fromisoformat(reminder["due_at"]) == datetime(2023, 3, 27, 1, tzinfo=UTC)
    # A venue alone is announced (sequence 2) without moving the reminder; the same request again changes nothing.
    before = len(service.events("deadline.set"))
    service.run(handlers.reschedule_session, RescheduleSession(session_id, OPERATOR, venue="Hotel Pia, Pandan"))
    service.run(handlers.reschedule_session, RescheduleSession(session_id, OPERATOR, venue="Hotel Pia, Pandan"))
    assert [d["sequence"] for _, d in service.events("mentoring.session_scheduled")][-2:] == [1, 2]
    assert len(service.events("deadline.set")) == before
    with pytest.raises(Invalid, match="in the past"):
        service.run(handlers.reschedule_session, RescheduleSession(session_id, MENTOR, starts_on=date(2023, 2, 1)))
    with pytest.raises(Forbidden):
        stranger = Principal(sub="mentor-budi", role="mentor")
        service.run(handlers.reschedule_session, RescheduleSession(session_id, stranger, starts_on=date(2023, 4, 1)))
    with pytest.raises(Forbidden):
        service.run(handlers.reschedule_session, RescheduleSession(session_id, REGION, starts_on=date(2023, 4, 1)))
    with pytest.raises(NotFound):
        service.run(handlers.reschedule_session, RescheduleSession("nope", MENTOR, starts_on=date(2023, 4, 1)))
    service.clock.set(datetime(2023, 4, 1, 3, tzinfo=UTC))
    with pytest.raises(Conflict, match="held"):
        service.run(handlers.reschedule_session, RescheduleSession(session_id, MENTOR, starts_on=date(2023, 4, 10)))


@pytest.mark.parametrize(
    ("code", "name", "regulation"),
    [
        ("12.01", "Kabupaten Tapanuli Tengah", "Perbup"),
        ("94.71", "Kota Jayapura", "Perwali"),
        ("12", "Sumatera Utara", "Pergub"),
    ],
)
def test_the_masterplan_is_enacted_by_the_regulation_of_the_regions_kind(service, code, name, regulation):
    programme = start(service, region_code=code, region_name=name)
    milestone = milestones(service, programme.id)["perkada_masterplan"]
    assert milestone.title == f"{regulation} tentang Masterplan Smart City"
    published = {d["deadline_id"]: d["title"] for _, d in service.events("deadline.set")}
    assert published[milestone_deadline_id(milestone.id)] == milestone.title


def test_the_consumer_builds_the_command_and_commits_with_the_inbox_row(service):
    envelope = wire(mou_signed(agreement_id="agr-2"))
    handlers_by_type = subscriptions(None)  # type: ignore[arg-type]
    assert consume(service.uow, handlers_by_type, envelope) == "processed"
    assert consume(service.uow, handlers_by_type, envelope) == "duplicate"
    with service.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Programme)) == 1
    envelope, _data = parse_envelope(wire(mou_signed()))
    other = StageChangedV1(programme_id="p-1", region_code="12.01", stage_key="a", stage_title="A")
    with pytest.raises(EventError):
        start_programme_command(envelope, other)


def test_a_handler_never_commits_its_entrypoint_does(service):
    command = signed()
    with service.uow() as uow:
        assert handlers.start_programme(uow, command) is not None
    with service.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Programme)) == 0
    assert service.events() == []


def test_a_cohorts_own_template_is_looked_up_by_the_handler(service):
    plan = {
        "name": "kota-cerdas-2024",
        "stages": [
            {
                "key": "kelembagaan",
                "title": "Kelembagaan",
                "milestones": [
                    {"key": "sk", "title": "SK", "kind": "decree", "offset_days": 10, "audience": ["kominfo_head"]}
                ],
            }
        ],
    }
    assert service.run(handlers.set_plan_template, SetPlanTemplate(2024, plan, OPERATOR)).version == 1
    assert service.run(handlers.set_plan_template, SetPlanTemplate(2024, plan, OPERATOR)).version == 2
    programme = start(service, cohort_year=2024, signed_at=datetime(2024, 3, 1, 3, tzinfo=UTC))
    assert programme.template == "kota-cerdas-2024@2"
    assert milestones(service, programme.id)["sk"].due_date == date(2024, 3, 11)
    with service.uow() as uow:
        assert views.template_view(uow, 2024)["version"] == 2
    with pytest.raises(Invalid):
        service.run(handlers.set_plan_template, SetPlanTemplate(2024, {"name": "x", "stages": []}, OPERATOR))


# --- mentors and rescheduling --------------------------------------------------------------------


def test_mentors_are_assigned_renamed_and_withdrawn(service, programme):
    service.run(handlers.assign_mentor, AssignMentor(programme.id, MENTOR.sub, "Rina S.", OPERATOR))
    with service.uow() as uow:
        assert views.mentor_items(uow, programme.id) == [{"mentor": MENTOR.sub, "name": "Rina S."}]
    service.run(handlers.unassign_mentor, UnassignMentor(programme.id, MENTOR.sub))
    with pytest.raises(NotFound):
        service.run(handlers.unassign_mentor, UnassignMentor(programme.id, MENTOR.sub))
    with pytest.raises(NotFound):
        service.run(handlers.assign_mentor, AssignMentor("nope", MENTOR.sub, None, OPERATOR))


def test_rescheduling_moves_the_deadline_and_keeps_the_old_date(service, programme):
    buku_2 = milestones(service, programme.id)["buku_2"]
    before = len(service.events("deadline.set"))
    moved = service.run(
        handlers.reschedule_milestone, RescheduleMilestone(buku_2.id, date(2023, 5, 20), "Bimtek II diundur", MENTOR)
    )
    assert moved.due_date == date(2023, 5, 20)
    [(_, announced)] = service.events("deadline.set")[before:]
    assert announced["deadline_id"] == milestone_deadline_id(buku_2.id)
    assert datetime.fromisoformat(announced["due_at"]) == datetime(2023, 5, 20, 16, 59, 59, 999999, tzinfo=UTC)
    with service.uow() as uow:
        [change] = uow.session.scalars(select(MilestoneChange))
        assert (change.old_due_date, change.new_due_date, change.actor) == (
            date(2023, 5, 6),
            date(2023, 5, 20),
            MENTOR.sub,
        )
    with pytest.raises(Invalid):
        service.run(handlers.reschedule_milestone, RescheduleMilestone(buku_2.id, date(2023, 2, 1), None, MENTOR))
    stranger = Principal(sub="mentor-budi", role="mentor")
    with pytest.raises(Forbidden):
        service.run(handlers.reschedule_milestone, RescheduleMilestone(buku_2.id, date(2023, 6, 1), None, stranger))


def test_an_accepted_milestone_cannot_be_rescheduled(service, programme):
    buku_1 = milestones(service, programme.id)["buku_1"]
    hand_in_and_accept(service, buku_1.id)
    with pytest.raises(Conflict):
        service.run(handlers.reschedule_milestone, RescheduleMilestone(buku_1.id, date(2023, 6, 1), None, OPERATOR))


# --- deliverables --------------------------------------------------------------------------------


def test_a_hand_in_is_one_file_or_one_link_while_the_milestone_waits_for_one(service, programme):
    sk = milestones(service, programme.id)["sk_dewan_smart_city"]
    with pytest.raises(Invalid):
        service.run(handlers.submit_deliverable, SubmitDeliverable(sk.id, REGION))
    with pytest.raises(Invalid):
        service.run(handlers.submit_deliverable, SubmitDeliverable(sk.id, REGION, link="https://x.example", file=PDF))
    submission = service.run(handlers.submit_deliverable, SubmitDeliverable(sk.id, REGION, file=PDF, note="final"))
    assert (submission.attempt, submission.sha256, submission.filename) == (1, PDF.sha256, "sk-dewan.pdf")
    assert milestones(service, programme.id)["sk_dewan_smart_city"].status == "submitted"
    [(_, submitted)] = service.events("mentoring.deliverable_submitted")
    assert submitted["submission_id"] == submission.id
    with pytest.raises(Conflict, match="awaiting review"):
        service.run(handlers.submit_deliverable, SubmitDeliverable(sk.id, REGION, link="https://x.example"))
    evaluation = milestones(service, programme.id)["monev_self_assessment"]
    with pytest.raises(Conflict, match="self-assessment"):
        service.run(handlers.submit_deliverable, SubmitDeliverable(evaluation.id, REGION, link="https://x.example"))
    other_region = Principal(sub="kominfo-jayapura", role="region", region="94.71")
    with pytest.raises(Forbidden):
        service.run(handlers.submit_deliverable, SubmitDeliverable(sk.id, other_region, link="https://x.example"))


def test_check_hand_in_refuses_before_anything_is_stored(service, programme):
    sk = milestones(service, programme.id)["sk_dewan_smart_city"]
    service.run(handlers.submit_deliverable, SubmitDeliverable(sk.id, REGION, link="https://x.example"))
    with service.uow() as uow, pytest.raises(Conflict):
        handlers.check_hand_in(uow, sk.id, REGION, link=None, with_file=True)
    with service.uow() as uow, pytest.raises(Invalid):
        handlers.check_hand_in(uow, sk.id, REGION, link="https://x.example", with_file=True)


def test_a_revision_request_moves_the_deadline_and_a_resubmission_accepted_clears_it(service, programme):
    sk = milestones(service, programme.id)["sk_dewan_smart_city"]
    first = service.run(handlers.submit_deliverable, SubmitDeliverable(sk.id, REGION, file=PDF))
    with pytest.raises(Forbidden):
        service.run(handlers.review_submission, ReviewSubmission(first.id, OPERATOR, "accept"))
    with pytest.raises(Invalid):
        service.run(handlers.review_submission, ReviewSubmission(first.id, MENTOR, "request_revision", "Perbaiki"))
    revision = ReviewSubmission(first.id, MENTOR, "request_revision", "Lengkapi anggota", date(2023, 5, 15))
    before = len(service.events("deadline.set"))
    assert service.run(handlers.review_submission, revision).status == "revision_requested"
    [(_, moved)] = service.events("deadline.set")[before:]
    assert moved["deadline_id"] == milestone_deadline_id(sk.id)
    assert milestones(service, programme.id)["sk_dewan_smart_city"].due_date == date(2023, 5, 15)
    with pytest.raises(Conflict, match="already reviewed"):
        service.run(handlers.review_submission, ReviewSubmission(first.id, MENTOR, "accept"))

    second = service.run(handlers.submit_deliverable, SubmitDeliverable(sk.id, REGION, file=PDF))
    assert second.attempt == 2 and second.sha256 == first.sha256
    service.run(handlers.review_submission, ReviewSubmission(second.id, MENTOR, "accept"))
    assert [d for _, d in service.events("deadline.cleared")] == [
        {"deadline_id": milestone_deadline_id(sk.id), "region_code": "12.01", "reason": "met", "version": 3}
    ]
    decisions = [d["decision"] for _, d in service.events("mentoring.deliverable_reviewed")]
    assert decisions == ["revision_requested", "accepted"]
    with service.uow() as uow:
        history = views.milestone_history(uow, sk.id, REGION)
    assert [(s["attempt"], s["status"]) for s in history["submissions"]] == [(1, "revision_requested"), (2, "accepted")]


def test_a_stage_completes_when_all_its_milestones_are_accepted_and_the_next_starts(service, programme):
    planned = milestones(service, programme.id)
    hand_in_and_accept(service, planned["buku_1"].id)
    hand_in_and_accept(service, planned["sk_dewan_smart_city"].id)
    assert stages(service, programme.id)["kelembagaan"] == "active"
    assert stages(service, programme.id)["bimtek_2"] == "pending"
    hand_in_and_accept(service, planned["sk_tim_pelaksana"].id)
    assert (stages(service, programme.id)["kelembagaan"], stages(service, programme.id)["bimtek_2"]) == (
        "completed",
        "active",
    )
    assert [d["stage_key"] for _, d in service.events("mentoring.stage_completed")] == ["bimtek_1", "kelembagaan"]


# --- evaluation and cohort weights ----------------------------------------------------------------


def self_assessment(**scores: float) -> dict[str, dict[str, object]]:
    return {
        name: {"score": score, "evidence": [f"https://x.example/{name}"], "note": None}
        for name, score in scores.items()
    }


def accept_the_masterplan(service: MemoryService, programme: Programme) -> None:
    """The final Masterplan accepted in August 2023, after which monev opens."""
    service.clock.set(datetime(2023, 8, 1, 3, tzinfo=UTC))
    hand_in_and_accept(service, milestones(service, programme.id)["masterplan_final"].id)


def test_no_year_is_self_assessed_before_the_masterplan_stage_is_complete(service, programme):
    with pytest.raises(Conflict, match="Masterplan stage is not complete"):
        service.run(handlers.self_assess, SelfAssess(programme.id, REGION, self_assessment(**SCORES)))
    assert milestones(service, programme.id)["monev_self_assessment"].status == "open"
    accept_the_masterplan(service, programme)
    # The decrees and books may still be open: the Masterplan stage alone opens the evaluation.
    assert service.run(handlers.self_assess, SelfAssess(programme.id, REGION, self_assessment(**SCORES))).year == 2023


def test_each_year_has_its_own_evaluation_and_the_first_is_the_plans(service, programme):
    accept_the_masterplan(service, programme)
    with pytest.raises(Invalid, match="has not begun"):
        service.run(handlers.self_assess, SelfAssess(programme.id, REGION, self_assessment(**SCORES), 2024))
    with pytest.raises(Invalid, match="began in 2023"):
        service.run(handlers.self_assess, SelfAssess(programme.id, REGION, self_assessment(**SCORES), 2022))
    first = service.run(handlers.self_assess, SelfAssess(programme.id, REGION, self_assessment(**SCORES)))
    assert first.year == 2023
    assert milestones(service, programme.id)["monev_self_assessment"].status == "submitted"
    service.run(handlers.confirm_evaluation, ConfirmEvaluation(programme.id, ASSESSOR, year=2023))

    service.clock.set(datetime(2025, 1, 15, 3, tzinfo=UTC))
    lower = {**SCORES, "impact": 30}
    second = service.run(handlers.self_assess, SelfAssess(programme.id, REGION, self_assessment(**lower), 2024))
    assert (second.year, second.status) == (2024, "self_assessed")
    with pytest.raises(Conflict, match="not handed in"):
        service.run(handlers.confirm_evaluation, ConfirmEvaluation(programme.id, ASSESSOR, year=2025))
    confirmed = service.run(handlers.confirm_evaluation, ConfirmEvaluation(programme.id, ASSESSOR, year=2024))
    # (10*80 + 20*70 + 30*60 + 30*30 + 10*90) / 100
    assert confirmed.achievement_index == 58.0
    with service.uow() as uow:
        view = views.programme_view(uow, programme)
        assert [(e["year"], e["status"], e["achievement_index"]) for e in view["evaluations"]] == [
            (2023, "confirmed", 64.0),
            (2024, "confirmed", 58.0),
        ]
        assert view["achievement_index"] == 58.0
        assert views.evaluation_view(uow, programme.id, REGION)["year"] == 2023
        assert [e["year"] for e in views.evaluations_view(uow, programme.id, REGION)["items"]] == [2023, 2024]
        with pytest.raises(NotFound, match="2025"):
            views.evaluation_view(uow, programme.id, REGION, 2025)


def test_self_assessment_is_corrected_until_confirmed_and_the_programme_completes_after_it(service, programme):
    accept_the_masterplan(service, programme)
    with pytest.raises(Conflict, match="not handed in"):
        service.run(handlers.confirm_evaluation, ConfirmEvaluation(programme.id, ASSESSOR))
    with pytest.raises(Invalid, match="impact"):
        partial = {k: v for k, v in SCORES.items() if k != "impact"}
        service.run(handlers.self_assess, SelfAssess(programme.id, REGION, self_assessment(**partial)))
    service.run(handlers.self_assess, SelfAssess(programme.id, REGION, self_assessment(**SCORES)))
    corrected = service.run(handlers.self_assess, SelfAssess(programme.id, REGION, self_assessment(**SCORES)))
    assert corrected.status == "self_assessed"
    assert milestones(service, programme.id)["monev_self_assessment"].status == "submitted"

    for milestone in milestones(service, programme.id).values():
        if milestone.kind != "evaluation" and milestone.status != "accepted":
            hand_in_and_accept(service, milestone.id)
    assert service.events("mentoring.programme_completed") == []
    confirmed = service.run(
        handlers.confirm_evaluation, ConfirmEvaluation(programme.id, ASSESSOR, {"impact": 40}, "Bukti kurang")
    )
    assert (confirmed.status, confirmed.achievement_index) == ("confirmed", 61.0)
    evaluation_milestone = milestones(service, programme.id)["monev_self_assessment"]
    assert evaluation_milestone.status == "accepted"
    assert milestone_deadline_id(evaluation_milestone.id) in {
        d["deadline_id"] for _, d in service.events("deadline.cleared")
    }
    [(_, completed)] = service.events("mentoring.programme_completed")
    assert completed == {"programme_id": programme.id, "region_code": "12.01", "achievement_index": 61.0}
    assert set(stages(service, programme.id).values()) == {"completed"}
    with pytest.raises(Conflict, match="already confirmed"):
        service.run(handlers.self_assess, SelfAssess(programme.id, REGION, self_assessment(**SCORES)))
    with pytest.raises(Conflict, match="already confirmed"):
        service.run(handlers.confirm_evaluation, ConfirmEvaluation(programme.id, ASSESSOR))
    with pytest.raises(Conflict, match="completed"):
        service.run(
            handlers.submit_deliverable, SubmitDeliverable(evaluation_milestone.id, REGION, link="https://x.example")
        )


def test_cohort_weights_are_checked_and_used_by_the_confirmation(service, programme):
    with pytest.raises(Invalid):
        service.run(handlers.set_evaluation_weights, SetEvaluationWeights(2023, {"output": -1}, OPERATOR))
    custom = {"baseline": 5, "output": 15, "outcome": 30, "impact": 40, "quick_win": 10}
    row = service.run(handlers.set_evaluation_weights, SetEvaluationWeights(2023, custom, OPERATOR))
    assert row.weights["impact"] == 40.0 and row.set_by == OPERATOR.sub
    accept_the_masterplan(service, programme)
    service.run(handlers.self_assess, SelfAssess(programme.id, REGION, self_assessment(**SCORES)))
    confirmed = service.run(handlers.confirm_evaluation, ConfirmEvaluation(programme.id, ASSESSOR))
    assert confirmed.achievement_index == 61.5
    # Evaluation alone does not complete a programme whose earlier stages are still open.
    with service.uow() as uow:
        assert uow.session.get(Programme, programme.id).status == "active"


# --- the lifecycle tables ------------------------------------------------------------------------


def test_every_status_a_handler_writes_is_a_state_of_its_lifecycle(service, programme):
    for milestone in milestones(service, programme.id).values():
        assert milestone.status in domain.MILESTONE_STATES
    for status in stages(service, programme.id).values():
        assert status in domain.STAGE_STATES
    assert programme.status in domain.PROGRAMME_STATES
