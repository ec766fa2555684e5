"""Mentoring rules without I/O: plan dates, the lifecycle tables, review rules, the current stage, sessions,
quick wins, when monev opens and its index."""

from datetime import UTC, date, datetime, timedelta

import pytest

from services.mentoring import domain
from services.mentoring.handlers.plans import default_template
from shared.errors import Conflict, Forbidden, Invalid

SIGNED_ON = date(2023, 2, 28)


def planned(timezone="Asia/Jakarta", signed_on=SIGNED_ON):
    stages = domain.plan_from_signing(default_template(), signed_on, timezone)
    return stages, {m.key: m for s in stages for m in s.milestones}


def test_the_default_plan_from_28_february_2023_lands_on_the_programmes_real_dates():
    stages, milestones = planned()
    assert [s.key for s in stages] == [
        "kelembagaan",
        "bimtek_1",
        "bimtek_2",
        "bimtek_3",
        "bimtek_4",
        "masterplan",
        "penetapan",
        "evaluasi",
    ]
    # Both decrees about two months after signing.
    assert milestones["sk_dewan_smart_city"].due_date == date(2023, 4, 29)
    assert milestones["sk_tim_pelaksana"].due_date == date(2023, 4, 29)
    # Bimtek I-IV: a two-day session, then its book after a revision window, each round after the last.
    by_key = {s.key: s for s in stages}
    assert (by_key["bimtek_1"].session_start, by_key["bimtek_1"].session_end) == (date(2023, 3, 21), date(2023, 3, 22))
    books = [milestones[f"buku_{n}"].due_date for n in range(1, 5)]
    assert books == [date(2023, 4, 6), date(2023, 5, 6), date(2023, 6, 5), date(2023, 7, 5)]
    for n in range(1, 5):
        stage = by_key[f"bimtek_{n}"]
        assert stage.session_start < stage.session_end < milestones[f"buku_{n}"].due_date
    # The final Masterplan about five months after signing.
    assert milestones["masterplan_final"].due_date == date(2023, 7, 28)
    assert 4.5 <= (milestones["masterplan_final"].due_date - SIGNED_ON).days / 30.4 <= 5.5
    # A due date is the end of that day in Jakarta: 23:59:59.999999 WIB is 16:59:59.999999 UTC.
    assert milestones["buku_1"].due_at == datetime(2023, 4, 6, 16, 59, 59, 999999, tzinfo=UTC)


def test_the_same_local_due_date_in_jayapura_falls_two_hours_before_jakarta():
    _, jakarta = planned("Asia/Jakarta")
    _, jayapura = planned("Asia/Jayapura")
    for key, milestone in jakarta.items():
        assert jayapura[key].due_date == milestone.due_date
        assert milestone.due_at - jayapura[key].due_at == timedelta(hours=2)


def test_a_malformed_template_is_refused_with_the_field_named():
    data = {"name": "x", "version": 1, "stages": [{"key": "a", "title": "A", "milestones": [{"key": "m"}]}]}
    with pytest.raises(Invalid) as caught:
        domain.PlanTemplate.from_data(data)
    assert caught.value.extra["errors"][0]["field"] == "template"
    duplicate = {
        "name": "x",
        "version": 1,
        "stages": [
            {"key": "a", "title": "A", "milestones": [{"key": "m", "title": "M", "offset_days": 1, "audience": ["x"]}]},
            {"key": "b", "title": "B", "milestones": [{"key": "m", "title": "M", "offset_days": 2, "audience": ["x"]}]},
        ],
    }
    with pytest.raises(Invalid, match="unique"):
        domain.PlanTemplate.from_data(duplicate)


def test_a_deliverable_can_be_handed_in_only_while_the_milestone_waits_for_one():
    domain.check_submission("open", "decree")
    domain.check_submission("revision_requested", "book")
    with pytest.raises(Conflict, match="awaiting review"):
        domain.check_submission("submitted", "book")
    with pytest.raises(Conflict, match="already accepted"):
        domain.check_submission("accepted", "book")
    with pytest.raises(Conflict, match="self-assessment"):
        domain.check_submission("open", "evaluation")


def test_a_revision_request_needs_comments_and_a_due_date_not_in_the_past():
    today = date(2023, 4, 1)
    domain.check_review("submitted", "accept", None, None, today)
    domain.check_review("submitted", "request_revision", "Lengkapi SWOT", today, today)
    with pytest.raises(Invalid) as caught:
        domain.check_review("submitted", "request_revision", None, date(2023, 5, 1), today)
    assert caught.value.extra["errors"][0]["field"] == "comments"
    with pytest.raises(Invalid) as caught:
        domain.check_review("submitted", "request_revision", "Lengkapi SWOT", None, today)
    assert caught.value.extra["errors"][0]["field"] == "due_date"
    with pytest.raises(Invalid, match="in the past"):
        domain.check_review("submitted", "request_revision", "Lengkapi SWOT", date(2023, 3, 31), today)
    with pytest.raises(Conflict, match="already reviewed"):
        domain.check_review("accepted", "accept", None, None, today)


def test_rescheduling_into_the_past_or_an_accepted_milestone_is_refused():
    domain.check_reschedule(date(2023, 4, 1), date(2023, 4, 1), "open")
    with pytest.raises(Invalid, match="in the past"):
        domain.check_reschedule(date(2023, 3, 31), date(2023, 4, 1), "open")
    with pytest.raises(Conflict):
        domain.check_reschedule(date(2023, 5, 1), date(2023, 4, 1), "accepted")


AT = datetime(2023, 4, 6, 17, tzinfo=UTC)


def stage(key, status, *states, due=AT):
    """A stage whose milestones are all due at ``due`` (a day apart, in the order given)."""
    return domain.StageProgress(
        key, status, tuple(domain.MilestoneProgress(due + timedelta(days=i), s) for i, s in enumerate(states))
    )


def default_stages():
    """The default plan's stages on signing day, every milestone open, as the rules read them."""
    stages, _ = planned()
    return [
        domain.StageProgress(s.key, "pending", tuple(domain.MilestoneProgress(m.due_at, "open") for m in s.milestones))
        for s in stages
    ]


def test_the_current_stage_is_the_stage_of_the_work_due_first_not_the_first_in_the_plan():
    stages = default_stages()
    # Buku I (6 April) is due before the two decrees (29 April): the region is in Bimtek I first.
    assert domain.current_stage(stages) == "bimtek_1"
    # Buku I accepted, the decrees are due next; then Buku II.
    stages[1] = stage("bimtek_1", "active", "accepted")
    assert domain.current_stage(stages) == "kelembagaan"
    stages[0] = stage("kelembagaan", "active", "accepted", "submitted")
    assert domain.current_stage(stages) == "kelembagaan"  # handed in is not yet accepted
    stages[0] = stage("kelembagaan", "completed", "accepted", "accepted")
    assert domain.current_stage(stages) == "bimtek_2"
    # Due at the same instant, the stage that comes first in the plan is current.
    tie = [stage("a", "pending", "open", due=AT), stage("b", "pending", "open", due=AT)]
    assert domain.current_stage(list(reversed(tie))) == "b" and domain.current_stage(tie) == "a"
    assert domain.current_stage([stage("a", "completed", "accepted")]) is None


def test_on_signing_day_the_current_stage_and_every_stage_before_it_start():
    advance = domain.advance_stages(default_stages())
    assert advance == domain.Advance(started=("kelembagaan", "bimtek_1"), completed=(), programme_complete=False)


def test_a_stage_completes_when_all_its_milestones_are_accepted_whatever_the_order():
    stages = [stage("a", "active", "open", due=AT + timedelta(days=20)), stage("b", "active", "accepted", "accepted")]
    assert domain.advance_stages(stages) == domain.Advance((), ("b",), programme_complete=False)
    waiting = [stage("a", "active", "accepted", "submitted"), stage("b", "pending", "open", due=AT + timedelta(days=9))]
    assert domain.advance_stages(waiting) == domain.Advance((), (), programme_complete=False)


def test_work_accepted_before_its_stage_started_counts_when_it_starts_and_the_last_stage_completes_the_programme():
    early = [stage("a", "active", "open"), stage("b", "pending", "accepted"), stage("c", "pending", "open")]
    assert domain.advance_stages(early) == domain.Advance((), (), programme_complete=False)
    # Moved ahead of a's work, c's milestone is due first: b and c start, and b completes.
    moved = [early[0], early[1], stage("c", "pending", "open", due=AT - timedelta(days=5))]
    assert domain.advance_stages(moved) == domain.Advance(("b", "c"), ("b",), programme_complete=False)
    done = [stage("a", "completed", "accepted"), stage("b", "active", "accepted"), stage("c", "pending", "accepted")]
    assert domain.advance_stages(done) == domain.Advance(("c",), ("b", "c"), programme_complete=True)


def test_the_regulation_is_named_by_the_region_kind_in_the_plan_titles():
    template = default_template()
    by_kind = {
        "Perbup": ("Perbup", "Peraturan Bupati"),
        "Perwali": ("Perwali", "Peraturan Wali Kota"),
        "Pergub": ("Pergub", "Peraturan Gubernur"),
    }
    for short, regulation in by_kind.items():
        stages = {s.key: s for s in domain.plan_from_signing(template, SIGNED_ON, "Asia/Jakarta", regulation)}
        [milestone] = stages["penetapan"].milestones
        assert milestone.title == f"{short} tentang Masterplan Smart City"
        assert stages["penetapan"].title == f"Penetapan Masterplan Smart City dengan {regulation[1]}"
        assert "Perbup/Perwali" not in milestone.title + stages["penetapan"].title
    # A template stored before titles were named per region still gets the region's own name.
    assert domain.name_regulation("Perbup/Perwali tentang Masterplan", ("Perwali", "x")) == "Perwali tentang Masterplan"


def test_a_bimtek_session_invites_its_audience_and_moves_only_ahead():
    stages, _ = planned()
    # The invitation goes to the regional secretary too; a plan naming no one invites the stage's audience.
    invited = ("regional_secretary", "kominfo_head", "bappeda_head")
    assert {s.session_audience for s in stages if s.session_start} == {invited}
    data = {
        "name": "x",
        "version": 1,
        "stages": [
            {
                "key": "bimtek_1",
                "title": "Bimtek I",
                "session": {"offset_days": 21, "days": 2},
                "milestones": [
                    {"key": "a", "title": "A", "offset_days": 30, "audience": ["kominfo_head"]},
                    {"key": "b", "title": "B", "offset_days": 30, "audience": ["bappeda_head", "kominfo_head"]},
                ],
            }
        ],
    }
    [own] = domain.plan_from_signing(domain.PlanTemplate.from_data(data), SIGNED_ON, "Asia/Jakarta")
    assert own.session_audience == ("kominfo_head", "bappeda_head")
    # Reminded the day before its first day: it opens that morning, 08:00 WIB.
    assert domain.session_opens_at(date(2023, 3, 21), "Asia/Jakarta") == datetime(2023, 3, 21, 1, tzinfo=UTC)
    today = date(2023, 3, 10)
    planned_start, held_until = date(2023, 3, 21), date(2023, 3, 22)
    domain.check_session_move(date(2023, 3, 28), date(2023, 3, 29), planned_start, held_until, today)
    with pytest.raises(Invalid, match="in the past"):
        domain.check_session_move(date(2023, 3, 9), date(2023, 3, 10), planned_start, held_until, today)
    with pytest.raises(Invalid, match="before the first"):
        domain.check_session_move(date(2023, 3, 28), date(2023, 3, 27), planned_start, held_until, today)
    with pytest.raises(Invalid, match="at most 30 days"):
        domain.check_session_move(date(2023, 3, 28), date(2023, 4, 27), planned_start, held_until, today)
    # Under way, a session may still get a venue or another day, not a last day already gone.
    under_way = date(2023, 3, 21)
    domain.check_session_move(planned_start, date(2023, 3, 23), planned_start, held_until, under_way)
    with pytest.raises(Invalid, match="last day"):
        domain.check_session_move(date(2023, 3, 19), date(2023, 3, 20), date(2023, 3, 19), held_until, under_way)
    with pytest.raises(Conflict, match="held"):
        domain.check_session_move(date(2023, 3, 28), date(2023, 3, 29), planned_start, date(2023, 3, 9), today)


def test_the_evaluation_opens_once_the_masterplan_stage_is_complete_for_a_year_that_has_begun():
    work = [
        domain.PlannedWork("kelembagaan", "decree", "open"),
        domain.PlannedWork("masterplan", "masterplan", "submitted"),
        domain.PlannedWork("evaluasi", "evaluation", "open"),
    ]
    with pytest.raises(Conflict, match="Masterplan stage is not complete") as caught:
        domain.check_evaluation_open(work)
    assert caught.value.extra["current_state"] == "masterplan_incomplete"
    work[1] = domain.PlannedWork("masterplan", "masterplan", "accepted")
    domain.check_evaluation_open(work)  # the decrees may still be open
    # A plan without a Masterplan milestone waits for everything but the evaluation.
    with pytest.raises(Conflict):
        domain.check_evaluation_open(
            [domain.PlannedWork("a", "book", "open"), domain.PlannedWork("b", "evaluation", "open")]
        )
    today = date(2024, 2, 1)
    domain.check_evaluation_year(2023, 2023, today)
    domain.check_evaluation_year(2024, 2023, today)
    with pytest.raises(Invalid, match="began in 2023"):
        domain.check_evaluation_year(2022, 2023, today)
    with pytest.raises(Invalid, match="has not begun"):
        domain.check_evaluation_year(2025, 2023, today)


def test_a_quick_win_is_planned_carried_out_and_done_with_evidence_or_dropped_by_a_mentor():
    assert domain.QUICK_WIN_STATES == ("planned", "in_progress", "done", "dropped")
    assert domain.DIMENSIONS == ("governance", "branding", "economy", "living", "society", "environment")
    domain.check_quick_win_move("planned", "in_progress", "region", [])
    domain.check_quick_win_move("in_progress", "done", "region", ["https://x.example/bukti"])
    with pytest.raises(Invalid, match="evidence"):
        domain.check_quick_win_move("in_progress", "done", "region", [])
    with pytest.raises(Conflict):
        domain.check_quick_win_move("planned", "done", "mentor", ["https://x.example/bukti"])
    with pytest.raises(Forbidden):
        domain.check_quick_win_move("planned", "dropped", "region", [])
    domain.check_quick_win_move("in_progress", "dropped", "mentor", [])
    with pytest.raises(Conflict, match="no longer changed"):
        domain.check_quick_win_open("done")
    with pytest.raises(Invalid):
        domain.check_dimension("quick_win")
    assert (domain.quick_win_deadline_on_entry("done"), domain.quick_win_deadline_on_entry("dropped")) == (
        "met",
        "cancelled",
    )
    assert domain.quick_win_deadline_on_entry("in_progress") is None


def test_the_achievement_index_is_the_weighted_mean_with_the_default_weights():
    scores = {"baseline": 80, "output": 70, "outcome": 60, "impact": 50, "quick_win": 90}
    # (10*80 + 20*70 + 30*60 + 30*50 + 10*90) / 100
    assert domain.achievement_index(domain.DEFAULT_WEIGHTS, scores) == 64.0
    # Weights need not add up to 100: only their proportions count.
    assert domain.achievement_index({"output": 1, "impact": 3}, {"output": 40, "impact": 80}) == 70.0


def test_every_weighted_dimension_needs_a_score_in_range_and_weights_must_be_positive():
    with pytest.raises(Invalid, match="missing: impact"):
        domain.achievement_index({"output": 1, "impact": 1}, {"output": 50})
    with pytest.raises(Invalid, match="not weighted"):
        domain.check_dimensions({"output": 1}, {"output": 50, "branding": 10}, "dimensions")
    with pytest.raises(Invalid, match="between 0 and 100"):
        domain.check_dimensions({"output": 1}, {"output": 101}, "dimensions")
    with pytest.raises(Invalid, match="above zero"):
        domain.check_weights({"output": 0})
    with pytest.raises(Invalid, match="lower case"):
        domain.check_weights({"Output": 1})
    assert domain.check_weights({"output": 2}) == {"output": 2.0}


def test_each_lifecycle_table_is_closed_and_starts_from_one_of_its_states():
    for name, table in domain.LIFECYCLES.items():
        assert domain.INITIAL[name] in table, name
        for state, targets in table.items():
            assert set(targets) <= set(table), (name, state)
    assert domain.MILESTONE_STATES == ("open", "submitted", "revision_requested", "accepted")
    assert domain.STAGE_STATES == ("pending", "active", "completed")
    assert domain.QUICK_WIN_TRANSITIONS["planned"] == ("in_progress", "dropped")


def test_a_move_off_the_table_is_refused_with_the_moves_that_are_allowed():
    domain.check_transition("milestone", "revision_requested", "submitted")
    with pytest.raises(Conflict) as caught:
        domain.check_transition("milestone", "open", "accepted")
    assert caught.value.extra == {"current_state": "open", "allowed": ["submitted"]}
    with pytest.raises(Conflict):
        domain.check_transition("stage", "completed", "active")
    assert domain.is_final("programme", "completed") and not domain.is_final("programme", "active")
    with pytest.raises(Conflict, match="the programme is completed"):
        domain.check_programme_open("completed")


def test_the_domain_says_which_deadlines_open_and_close():
    assert domain.deadline_on_entry("open") == "set"
    assert domain.deadline_on_entry("revision_requested") == "set"
    assert domain.deadline_on_entry("accepted") == "met"
    assert domain.deadline_on_entry("submitted") is None
    assert domain.review_moves_due_date("request_revision") and not domain.review_moves_due_date("accept")


def test_an_evaluation_is_corrected_until_it_is_confirmed_once():
    domain.check_self_assessment(None)
    domain.check_self_assessment("self_assessed")
    domain.check_confirmation("self_assessed")
    with pytest.raises(Conflict, match="already confirmed"):
        domain.check_self_assessment("confirmed")
    with pytest.raises(Conflict, match="already confirmed"):
        domain.check_confirmation("confirmed")
    with pytest.raises(Conflict) as caught:
        domain.check_confirmation(None)
    assert caught.value.extra["current_state"] == "missing"
