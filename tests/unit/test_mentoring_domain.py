"""Mentoring rules without I/O: plan dates, the lifecycle tables, review rules, stage order, monev index."""

from datetime import UTC, date, datetime, timedelta

import pytest

from services.mentoring import domain
from services.mentoring.handlers.plans import default_template
from shared.errors import Conflict, Invalid

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
        "implementasi",
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


def stage(key, status, *states):
    return domain.StageProgress(key, status, tuple(states))


def test_a_stage_completes_only_when_all_its_milestones_are_accepted():
    advance = domain.advance_stages([stage("a", "active", "accepted", "submitted"), stage("b", "pending", "open")])
    assert advance == domain.Advance(started=(), completed=(), programme_complete=False)
    advance = domain.advance_stages([stage("a", "active", "accepted", "accepted"), stage("b", "pending", "open")])
    assert advance == domain.Advance(started=("b",), completed=("a",), programme_complete=False)


def test_work_accepted_early_counts_when_its_stage_comes_and_the_last_stage_completes_the_programme():
    stages = [
        stage("a", "active", "accepted"),
        stage("b", "pending", "accepted"),
        stage("c", "pending", "revision_requested"),
    ]
    assert domain.advance_stages(stages) == domain.Advance(("b", "c"), ("a", "b"), programme_complete=False)
    # A later stage finished early does not complete while an earlier one is still open.
    early = [stage("a", "active", "open"), stage("b", "pending", "accepted")]
    assert domain.advance_stages(early) == domain.Advance((), (), programme_complete=False)
    done = [stage("a", "completed", "accepted"), stage("b", "active", "accepted")]
    assert domain.advance_stages(done) == domain.Advance((), ("b",), programme_complete=True)


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
