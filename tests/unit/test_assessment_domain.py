"""Assessment rules without I/O: ranking and quota selection (as properties), rubric, answers, region codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.assessment import domain
from shared.errors import Conflict, Invalid

T0 = datetime(2022, 7, 1, tzinfo=UTC)


@st.composite
def candidates(draw: st.DrawFn) -> list[domain.Candidate]:
    count = draw(st.integers(min_value=0, max_value=40))
    codes = draw(st.lists(st.integers(min_value=1, max_value=99), min_size=count, max_size=count, unique=True))
    result = []
    for number in codes:
        kind = draw(st.sampled_from(domain.KINDS))
        code = f"{number:02d}" if kind == "provinsi" else f"12.{number:02d}"
        # Few distinct totals and instants, so ties on total and on submission time are common.
        total = draw(st.sampled_from([55.0, 60.5, 72.25, 80.0, 91.0]))
        submitted = T0 + timedelta(minutes=draw(st.integers(min_value=0, max_value=3)))
        result.append(domain.Candidate(f"app-{code}", code, kind, total, submitted))
    return result


quota_maps = st.fixed_dictionaries(
    {"provinsi": st.integers(min_value=0, max_value=10), "kabkota": st.integers(min_value=0, max_value=40)}
)


@settings(max_examples=200, deadline=None)
@given(candidates(), quota_maps)
def test_selection_never_exceeds_a_quota(pool, quotas):
    placements = domain.rank_and_select(pool, quotas)
    for group, quota in quotas.items():
        in_group = [p for p in placements if p.group == group]
        assert sum(p.selected for p in in_group) == min(quota, len(in_group))


@settings(max_examples=200, deadline=None)
@given(candidates(), quota_maps, st.randoms(use_true_random=False))
def test_selection_does_not_depend_on_input_order(pool, quotas, rnd):
    shuffled = list(pool)
    rnd.shuffle(shuffled)
    assert domain.rank_and_select(shuffled, quotas) == domain.rank_and_select(pool, quotas)


@settings(max_examples=200, deadline=None)
@given(candidates(), quota_maps)
def test_a_strictly_higher_total_always_ranks_above_a_lower_one(pool, quotas):
    placements = domain.rank_and_select(pool, quotas)
    for a in placements:
        for b in placements:
            if a.group == b.group and a.candidate.total > b.candidate.total:
                assert a.rank < b.rank
                assert a.selected or not b.selected


def test_ties_go_to_the_earlier_submission_then_the_lower_code():
    late = domain.Candidate("a", "12.02", "kabupaten", 80.0, T0 + timedelta(hours=1))
    early = domain.Candidate("b", "12.03", "kabupaten", 80.0, T0)
    same_time = domain.Candidate("c", "12.01", "kabupaten", 80.0, T0 + timedelta(hours=1))
    placements = domain.rank_and_select([late, same_time, early], {"kabkota": 2})
    assert [(p.candidate.region_code, p.rank, p.selected) for p in placements] == [
        ("12.03", 1, True),
        ("12.01", 2, True),
        ("12.02", 3, False),
    ]
    assert set(placements[2].tied_with) == {"12.03", "12.01"}


def test_kota_and_kabupaten_share_the_kabkota_quota():
    pool = [
        domain.Candidate("a", "12.71", "kota", 90.0, T0),
        domain.Candidate("b", "12.01", "kabupaten", 85.0, T0),
        domain.Candidate("c", "12", "provinsi", 50.0, T0),
    ]
    placements = {p.candidate.region_code: p for p in domain.rank_and_select(pool, {"provinsi": 1, "kabkota": 1})}
    assert placements["12.71"].selected and not placements["12.01"].selected and placements["12"].selected


def test_selection_refuses_unscored_unless_forced_with_a_reason():
    readiness = domain.Readiness(("12.01", "13"))
    with pytest.raises(Conflict) as refused:
        domain.check_selectable(readiness, force=False, reason=None)
    assert refused.value.extra["missing"] == ["12.01", "13"]
    with pytest.raises(Invalid):
        domain.check_selectable(readiness, force=True, reason="  ")
    domain.check_selectable(readiness, force=True, reason="asesor sakit; keputusan rapat pleno")


RUBRIC = domain.Rubric.from_data(
    [
        {"key": "struktur", "label": "Struktur", "group": "readiness", "weight": 1},
        {"key": "smart_branding", "label": "Branding", "group": "dimension", "weight": 3, "scale_max": 5},
    ]
)


def test_the_weighted_total_normalises_each_criterion_to_its_scale():
    assert RUBRIC.weighted_total({"struktur": 100, "smart_branding": 0}) == 25.0
    assert RUBRIC.weighted_total({"struktur": 0, "smart_branding": 5}) == 75.0


def test_a_score_outside_the_scale_names_the_criterion():
    with pytest.raises(Invalid) as bad:
        RUBRIC.check_scores({"struktur": 50, "smart_branding": 6})
    assert bad.value.extra["errors"][0]["field"] == "scores.smart_branding"


def test_several_assessors_are_combined_by_the_mean():
    assert domain.combine_assessors([{"struktur": 60}, {"struktur": 80, "smart_branding": 4}]) == {
        "struktur": 70,
        "smart_branding": 4,
    }


def test_answers_need_known_criteria_scores_on_scale_and_http_evidence():
    good = domain.Answer("struktur", 70, "Tim TIK", ("https://tapteng.example/sk.pdf",))
    domain.check_answers(RUBRIC, [good])
    assert domain.unanswered(RUBRIC, [good]) == ["smart_branding"]
    cases = [
        (domain.Answer("smart_parking", 1, None, ()), "answers.smart_parking"),
        (domain.Answer("smart_branding", 9, None, ()), "answers.smart_branding.score"),
        (domain.Answer("struktur", 1, None, ("javascript:alert(1)",)), "answers.struktur.evidence.0"),
        (domain.Answer("struktur", 1, None, ("https://ok.example/a", "http:///nohost")), "answers.struktur.evidence.1"),
    ]
    for answer, field in cases:
        with pytest.raises(Invalid) as bad:
            domain.check_answers(RUBRIC, [answer])
        assert bad.value.extra["errors"][0]["field"] == field


def test_an_answer_without_evidence_leaves_the_criterion_open():
    assert domain.unanswered(RUBRIC, [domain.Answer("struktur", 70, "ada", ())]) == ["struktur", "smart_branding"]


@pytest.mark.parametrize(
    ("code", "kind", "province", "field"),
    [
        ("1201", "kabupaten", "12", "code"),
        ("12.71", "kabupaten", "12", "code"),
        ("12.01", "kota", "12", "code"),
        ("12.01", "kabupaten", "13", "province_code"),
        ("1", "provinsi", None, "code"),
        ("12", "provinsi", "11", "province_code"),
    ],
)
def test_region_codes_follow_kemendagri(code, kind, province, field):
    with pytest.raises(Invalid) as bad:
        domain.check_region_code(code, kind, province)
    assert bad.value.extra["errors"][0]["field"] == field


def test_official_roles_come_from_the_known_list():
    domain.check_official_roles(["kominfo_head", "inspectorate_head"], (*domain.OFFICIAL_ROLES, "inspectorate_head"))
    with pytest.raises(Invalid) as bad:
        domain.check_official_roles(["kominfo_head", "kominfo_haed"], domain.OFFICIAL_ROLES)
    assert bad.value.extra["errors"][0]["field"] == "officials.1.role"


def test_withdrawal_ends_at_selection():
    for state in ("submitted", "under_assessment", "scored"):
        domain.check_withdrawable(state)
    for state in ("selected", "not_selected", "withdrawn"):
        with pytest.raises(Conflict):
            domain.check_withdrawable(state)


# --- which deadlines a move opens and closes ------------------------------------------------------

SNAP = domain.ApplicationSnapshot


def test_deadline_changes_follow_the_application_through_its_life():
    applied = SNAP("submitted", self_assessment_incomplete=True)
    assert [(c.kind, c.action) for c in domain.deadline_changes(None, applied)] == [
        ("self_assessment", "set"),
        ("assessment", "set"),
    ]
    completed = SNAP("submitted", self_assessment_incomplete=False)
    assert domain.deadline_changes(applied, completed) == [domain.DeadlineChange("self_assessment", "clear", "met")]
    reopened = domain.deadline_changes(completed, applied)
    assert reopened == [domain.DeadlineChange("self_assessment", "set")]
    scored = SNAP("scored", self_assessment_incomplete=True)
    assert domain.deadline_changes(applied, scored) == [
        domain.DeadlineChange("self_assessment", "clear", "cancelled"),
        domain.DeadlineChange("assessment", "clear", "met"),
    ]
    assert domain.deadline_changes(scored, SNAP("selected", True)) == []


@pytest.mark.parametrize("after", ["withdrawn", "not_selected"])
def test_an_application_that_ends_unscored_cancels_its_open_deadlines(after):
    before = SNAP("under_assessment", self_assessment_incomplete=False)
    assert domain.deadline_changes(before, SNAP(after, False)) == [
        domain.DeadlineChange("assessment", "clear", "cancelled")
    ]


def test_every_application_state_is_in_the_transitions_table_and_final_states_go_nowhere():
    assert set(domain.APPLICATION_STATES) == set(domain.APPLICATION_TRANSITIONS)
    for final in ("selected", "not_selected", "withdrawn"):
        assert domain.APPLICATION_TRANSITIONS[final] == ()
        with pytest.raises(Conflict):
            domain.check_application_move(final, "scored", "be scored")
    assert domain.may_move("scored", "selected") and not domain.may_move("submitted", "selected")
