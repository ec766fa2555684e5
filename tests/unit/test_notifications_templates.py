"""Every email's subject and bodies, pinned by snapshots; and the policy rules they rely on.

Run with CERDAS_UPDATE_SNAPSHOTS=1 to rewrite the snapshots after an intended wording change.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from services.notifications import domain
from services.notifications.mail import local_date_phrases, local_due_phrases, render, template_environment
from shared.clock import end_of_local_day
from shared.config import ReminderPolicy

SNAPSHOTS = Path(__file__).parent / "snapshots_notifications"
SEKDA = "Plh Sekretaris Daerah Kabupaten Tapanuli Tengah, Sugiharto Hutabarat, S.H."
DUE = end_of_local_day(date(2023, 3, 3), "Asia/Jakarta")

CASES = {
    "reminder_before": (
        "reminder.j2",
        {
            "title": "SK Dewan Smart City",
            "region_name": "Kabupaten Tapanuli Tengah",
            "phrase_id": "3 hari lagi",
            "phrase_en": "due in 3 days",
            "due_local_id": "3 Maret 2023 pukul 23.59 WIB",
            "due_local_en": "3 March 2023, 23:59 WIB",
            "overdue": False,
            "link": "https://cerdas.example/programmes/p-1",
        },
    ),
    "reminder_overdue": (
        "reminder.j2",
        {
            "title": "SK Dewan Smart City",
            "region_name": "Kabupaten Tapanuli Tengah",
            "phrase_id": "terlambat",
            "phrase_en": "overdue",
            "due_local_id": "3 Maret 2023 pukul 23.59 WIB",
            "due_local_en": "3 March 2023, 23:59 WIB",
            "overdue": True,
            "link": None,
        },
    ),
    "selection_selected": (
        "selection_result.j2",
        {
            "selected": True,
            "region_name": "Kabupaten Tapanuli Tengah",
            "cohort_year": 2023,
            "rank": 4,
            "total": "88.50",
            "day_id": "20 Januari 2023",
            "day_en": "20 January 2023",
        },
    ),
    "selection_not_selected": (
        "selection_result.j2",
        {
            "selected": False,
            "region_name": "Kota Sibolga",
            "cohort_year": 2023,
            "rank": 61,
            "total": "60.25",
            "day_id": "20 Januari 2023",
            "day_en": "20 January 2023",
        },
    ),
    "mou_scheduled": (
        "mou_scheduled.j2",
        {
            "region_name": "Kabupaten Tapanuli Tengah",
            "when_id": "28 Februari 2023 pukul 10.00 WIB",
            "when_en": "28 February 2023, 10:00 WIB",
            "online": True,
            "place_id": "daring (online)",
            "place_en": "online",
        },
    ),
    "mou_signed": (
        "mou_signed.j2",
        {
            "region_name": "Kabupaten Tapanuli Tengah",
            "number": "NK-2023/001",
            "cohort_year": 2023,
            "when_id": "28 Februari 2023 pukul 10.00 WIB",
            "when_en": "28 February 2023, 10:00 WIB",
            "signatories_id": [
                "Plh Sekretaris Daerah, Sugiharto Hutabarat, a.n. Pj Bupati Tapanuli Tengah",
                "Direktur Jenderal Aplikasi Informatika, Semuel Abrijani Pangerapan",
            ],
            "signatories_en": [
                "Plh Sekretaris Daerah, Sugiharto Hutabarat, on behalf of Pj Bupati Tapanuli Tengah",
                "Direktur Jenderal Aplikasi Informatika, Semuel Abrijani Pangerapan",
            ],
        },
    ),
    "programme_started": (
        "programme_started.j2",
        {
            "region_name": "Kabupaten Tapanuli Tengah",
            "cohort_year": 2023,
            "milestones": [
                {"title": "SK Dewan Smart City", "day_id": "14 April 2023", "day_en": "14 April 2023"},
                {"title": "Buku I Masterplan", "day_id": "31 Mei 2023", "day_en": "31 May 2023"},
            ],
        },
    ),
    "deliverable_revision": (
        "deliverable_reviewed.j2",
        {
            "region_name": "Kabupaten Tapanuli Tengah",
            "accepted": False,
            "title": "Buku I Masterplan",
            "comments": "Lengkapi analisis SWOT suprastruktur & infrastruktur.",
            "due_local_id": "31 Mei 2023 pukul 23.59 WIB",
            "due_local_en": "31 May 2023, 23:59 WIB",
        },
    ),
    "deliverable_accepted": (
        "deliverable_reviewed.j2",
        {
            "region_name": "Kabupaten Tapanuli Tengah",
            "accepted": True,
            "title": "Buku I Masterplan",
            "comments": None,
            "due_local_id": None,
            "due_local_en": None,
        },
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_email_matches_its_snapshot(case):
    template, context = CASES[case]
    rendered = render(template_environment(), template, {**context, "recipient_formal": SEKDA})
    actual = f"Subject: {rendered.subject}\n\n--- text ---\n{rendered.text}\n--- html ---\n{rendered.html}"
    path = SNAPSHOTS / f"{case}.txt"
    if os.environ.get("CERDAS_UPDATE_SNAPSHOTS") == "1":
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}; run with CERDAS_UPDATE_SNAPSHOTS=1 and review it"
    assert actual == path.read_text(encoding="utf-8")


def test_html_escapes_what_regions_and_mentors_write():
    template, context = CASES["deliverable_revision"]
    rendered = render(
        template_environment(), template, {**context, "comments": "<script>x</script>", "recipient_formal": "A & B"}
    )
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert "A &amp; B" in rendered.html


def test_officials_are_addressed_with_acting_designation_position_and_titles():
    assert domain.formal_name("Elfin Ilyas Nainggolan", "S.STP., M.Si.", "Pj", "Bupati Tapanuli Tengah") == (
        "Pj Bupati Tapanuli Tengah, Elfin Ilyas Nainggolan, S.STP., M.Si."
    )
    assert domain.formal_name("Sugiharto Hutabarat", "S.H.", "Plh", "Plh Sekretaris Daerah") == (
        "Plh Sekretaris Daerah, Sugiharto Hutabarat, S.H."
    )
    assert domain.formal_name("Budi", None, "Plt", None) == "Plt Budi"


def test_local_dates_are_written_in_the_region_zone():
    assert local_due_phrases(DUE, "Asia/Jakarta") == ("3 Maret 2023 pukul 23.59 WIB", "3 March 2023, 23:59 WIB")
    wit = end_of_local_day(date(2023, 3, 3), "Asia/Jayapura")
    assert local_due_phrases(wit, "Asia/Jayapura")[0] == "3 Maret 2023 pukul 23.59 WIT"
    assert local_date_phrases(datetime(2023, 2, 27, 18, 0, tzinfo=UTC), "Asia/Makassar") == (
        "28 Februari 2023",
        "28 February 2023",
    )


def test_the_policy_plans_local_hours_and_drops_reminders_passed_before_the_announcement():
    policy = ReminderPolicy()
    announced = datetime(2023, 2, 27, 20, 0, tzinfo=UTC)  # 28 Feb 03:00 WIB
    planned = domain.plan_reminders(DUE, "Asia/Jakarta", policy, announced_at=announced)
    assert [(r.kind, r.due_at.isoformat(), r.step) for r in planned] == [
        ("before_3", "2023-02-28T01:00:00+00:00", 0),
        ("before_1", "2023-03-02T01:00:00+00:00", 0),
        ("on_day", "2023-03-03T01:00:00+00:00", 0),
        ("overdue_1", "2023-03-04T01:00:00+00:00", 1),
        ("overdue_2", "2023-03-05T01:00:00+00:00", 2),
    ]
    late = datetime(2023, 2, 28, 5, 0, tzinfo=UTC)  # 12:00 WIB: the day's 08:00 has passed
    assert [r.kind for r in domain.plan_reminders(DUE, "Asia/Jakarta", policy, announced_at=late)][:2] == [
        "before_3",
        "before_1",
    ]
    makassar = domain.plan_reminders(end_of_local_day(date(2023, 3, 3), "Asia/Makassar"), "Asia/Makassar", policy)
    assert makassar[0].due_at == datetime(2023, 2, 24, 0, 0, tzinfo=UTC)  # 08:00 WITA


def test_escalation_starts_at_the_least_senior_role_named_and_climbs_the_whole_chain():
    chain = ("kominfo_head", "regional_secretary", "head_of_region")
    everyone = ["head_of_region", "kominfo_head", "regional_secretary", "bappeda_head"]
    assert domain.recipient_roles(everyone, chain, 0) == ["kominfo_head", "bappeda_head"]
    assert domain.recipient_roles(["kominfo_head", "bappeda_head"], chain, 1) == [
        "kominfo_head",
        "regional_secretary",
        "bappeda_head",
    ]
    assert domain.recipient_roles(["kominfo_head"], chain, 5) == list(chain)
    assert domain.recipient_roles(["regional_secretary"], chain, 1) == ["regional_secretary", "head_of_region"]
    assert domain.recipient_roles(["bpkpad_head"], chain, 0) == ["kominfo_head", "bpkpad_head"]


def test_a_late_reminder_says_how_much_time_is_really_left():
    assert domain.describe_kind("before_7", 3) == ("3 hari lagi", "due in 3 days")
    assert domain.describe_kind("before_1") == ("1 hari lagi", "due in 1 day")
    assert domain.describe_kind("before_3", 0) == ("jatuh tempo hari ini", "due today")
    assert domain.describe_kind("overdue_1", -1) == ("terlambat", "overdue")


def test_smtp_answers_are_classified():
    assert domain.classify_smtp_failure(550, "5.1.1 No such user", 1, 8).status == "failed"
    assert domain.classify_smtp_failure(451, "try later", 1, 8).status == "retry"
    assert domain.classify_smtp_failure(None, "ConnectionRefusedError", 1, 8).status == "retry"
    assert domain.classify_smtp_failure(451, "try later", 8, 8).status == "failed"
    assert [domain.retry_delay(n, 60).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
