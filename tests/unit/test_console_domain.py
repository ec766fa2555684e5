"""Console rules: accounts and roles, identity-provider claims, feed sequences, the funnel and the timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.console.domain import Account, FeedEvent, account_from_claims, content_hash, feed_uid, next_sequence
from services.console.domain.accounts import check_password, check_role, check_username
from services.console.domain.programme import by_province, funnel, late_this_week, timeline
from shared.errors import Forbidden, Invalid

NOW = datetime(2023, 3, 1, 3, 0, tzinfo=UTC)
CLAIMS = {"roles_claim": "realm_access.roles", "region_claim": "region", "username_claim": "preferred_username"}


def test_a_region_account_sees_only_its_own_region_and_only_its_pages():
    region = Account("kominfo-tapteng", "region", "12.01")
    operator = Account("ani", "operator")
    assert region.may_view_region("12.01") and not region.may_view_region("12.02")
    assert operator.may_view_region("12.02")
    assert not region.sees_page("overview") and not region.sees_page("deliveries") and region.sees_page("regions")
    assert region.may("upload_document") and not region.may("sign") and not region.may("replay")
    assert Account("rina", "mentor").may("review") and not operator.may("review")
    assert Account.from_session(region.as_session()) == region


def test_account_names_roles_and_passwords_are_checked():
    assert check_username(" Mentor-Rina ") == "mentor-rina"
    with pytest.raises(Invalid):
        check_username("x")
    assert check_role("region", "12.01") == "12.01"
    with pytest.raises(Invalid, match="needs its Kemendagri code"):
        check_role("region", None)
    with pytest.raises(Invalid, match="every region"):
        check_role("operator", "12.01")
    with pytest.raises(Invalid, match="role must be"):
        check_role("admin", None)
    check_password("Kata-sandi-uji-2023!", "ani")
    for weak in ("pendek", "aaaaaaaaaaaaaaaa", "ani-ani-ani-ani-1"):
        with pytest.raises(Invalid):
            check_password(weak, "ani")


def test_the_identity_provider_claims_name_the_widest_role_and_the_region():
    staff = account_from_claims(
        {
            "sub": "uuid-1",
            "preferred_username": "ani",
            "name": "Ani",
            "realm_access": {"roles": ["region", "operator"]},
        },
        **CLAIMS,
    )
    assert (staff.sub, staff.role, staff.region, staff.name, staff.source) == ("ani", "operator", None, "Ani", "oidc")
    region = account_from_claims(
        {"sub": "uuid-2", "realm_access": {"roles": ["region", "offline_access"]}, "region": ["12.01"]}, **CLAIMS
    )
    assert (region.sub, region.role, region.region) == ("uuid-2", "region", "12.01")


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "u", "realm_access": {"roles": ["offline_access"]}},
        {"sub": "u", "realm_access": {"roles": ["region"]}},
        {"sub": "u", "realm_access": {"roles": ["region"]}, "region": "Tapanuli"},
    ],
)
def test_an_account_without_a_usable_role_is_refused(claims):
    with pytest.raises(Forbidden):
        account_from_claims(claims, **CLAIMS)


def test_a_feed_event_keeps_its_sequence_until_its_content_changes():
    event = FeedEvent(feed_uid("milestone", "m1"), "Batas: Buku I", date(2023, 4, 6), date(2023, 4, 7))
    first = content_hash(event)
    assert next_sequence(None, first) == 0
    assert next_sequence((first, 0), content_hash(event)) == 0
    moved = FeedEvent(event.uid, event.summary, date(2023, 4, 13), date(2023, 4, 14))
    assert next_sequence((first, 0), content_hash(moved)) == 1
    assert next_sequence((content_hash(moved), 1), content_hash(moved)) == 1
    assert event.uid == "milestone-m1@feed.cerdas.example"


def _programme(code: str, statuses: dict[str, str], due: datetime = NOW + timedelta(days=30)) -> dict:
    milestones = [
        {"id": key, "key": key, "title": key, "kind": kind, "due_at": due.isoformat(), "status": status}
        for key, (kind, status) in {k: (k, v) for k, v in statuses.items()}.items()
    ]
    return {
        "id": f"p-{code}",
        "region_code": code,
        "region_name": code,
        "timezone": "Asia/Jakarta",
        "stages": [{"milestones": milestones}],
    }


def test_the_funnel_counts_each_step_of_the_cohort():
    applications = [
        {"region_code": "12.01", "status": "selected"},
        {"region_code": "12.02", "status": "not_selected"},
        {"region_code": "72.71", "status": "submitted"},
        {"region_code": "72.72", "status": "withdrawn"},
    ]
    agreements = [{"region_code": "12.01", "status": "signed"}]
    programmes = [_programme("12.01", {"masterplan": "accepted", "regulation": "open"})]
    assert dict(funnel(applications, agreements, programmes)) == {
        "applied": 3,
        "scored": 2,
        "selected": 1,
        "signed": 1,
        "mentoring": 1,
        "masterplan": 1,
        "enacted": 0,
    }
    [north_sumatra, central_sulawesi] = by_province(
        applications, agreements, programmes, {"12": "Sumatera Utara", "72": "Sulawesi Tengah"}
    )
    assert north_sumatra.name == "Sumatera Utara" and north_sumatra.counts["applied"] == 2
    assert central_sulawesi.counts == {**central_sulawesi.counts, "applied": 1, "selected": 0}


def test_late_this_week_lists_overdue_and_soon_due_work_soonest_first():
    agreements = [
        {
            "id": "a1",
            "number": "NK-2023/001",
            "region_code": "12.01",
            "region_name": "Tapteng",
            "timezone": "Asia/Jakarta",
            "status": "draft",
            "sign_by": "2023-02-28",
        },
        {
            "id": "a2",
            "number": "NK-2023/002",
            "region_code": "72.71",
            "region_name": "Palu",
            "timezone": "Asia/Makassar",
            "status": "signed",
            "sign_by": "2023-02-28",
        },
    ]
    programmes = [
        _programme("51.71", {"book": "open"}, due=NOW + timedelta(days=3)),
        _programme("32.73", {"book": "open"}, due=NOW + timedelta(days=30)),
    ]
    items = late_this_week(agreements, programmes, NOW)
    assert [(i.kind, i.what, i.overdue) for i in items] == [
        ("signing", "NK-2023/001", True),
        ("milestone", "book", False),
    ]


def test_a_region_timeline_has_every_step_with_its_state():
    cohort = {
        "applications_close_at": "2022-07-31T16:59:59+00:00",
        "assessment_due_at": "2022-10-31T16:59:59+00:00",
        "finalized_at": "2022-11-14T03:00:00+00:00",
    }
    application = {"status": "selected", "submitted_at": "2022-07-01T03:00:00+00:00"}
    agreement = {
        "number": "NK-2023/001",
        "status": "scheduled",
        "sign_by": "2023-03-30",
        "timezone": "Asia/Jakarta",
        "scheduled_at": "2023-03-02T03:00:00+00:00",
        "signed_at": None,
    }
    programme = _programme("12.01", {"book": "submitted"}, due=NOW - timedelta(days=1))
    steps = [(item.title, item.state) for item in timeline(cohort, application, agreement, programme, NOW)]
    assert steps == [
        ("application_submitted", "done"),
        ("applications_closed", "done"),
        ("assessment_due", "done"),
        ("selected", "done"),
        ("book", "waiting"),
        ("ceremony", "upcoming"),
        ("signing_due", "upcoming"),
    ]
