"""Every email's subject and bodies, in both languages, pinned by snapshots; the conventions of the ministry's
letters (docs/correspondence.md) checked on each; and the policy rules they rely on.

Run with CERDAS_UPDATE_SNAPSHOTS=1 to rewrite the snapshots after an intended wording change, and review
the diff of tests/unit/snapshots_notifications/ as the letters a ministry would sign.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest

from services.notifications import domain
from services.notifications.mail import (
    PROGRAMME_NAME,
    Letterhead,
    Rendered,
    build_message,
    local_date_phrases,
    local_due_phrases,
    render,
)
from services.notifications.mail.wording import (
    appointment_phrases,
    clock_phrases,
    date_range_phrases,
    decimal_phrases,
    government_phrases,
    list_phrases,
    office_phrases,
    regulation_phrases,
)
from shared.clock import end_of_local_day
from shared.config import ReminderPolicy, load_settings

SNAPSHOTS = Path(__file__).parent / "snapshots_notifications"
TEMPLATES = Path(__file__).resolve().parents[2] / "services" / "notifications" / "templates"
SEKDA = domain.formal_name(
    "Sugiharto Hutabarat", "S.H.", "Plh", "Sekretaris Daerah Kabupaten Tapanuli Tengah"
)  # 'Plh. Sekretaris Daerah Kabupaten Tapanuli Tengah, Sugiharto Hutabarat, S.H.'
DUE = end_of_local_day(date(2023, 3, 3), "Asia/Jakarta")
CEREMONY = datetime(2023, 2, 28, 3, 0, tzinfo=UTC)  # 10.00 WIB


def _reminder(**changes):
    return {
        "title": "SK Dewan Smart City",
        "region_name": "Kabupaten Tapanuli Tengah",
        "phrase_id": "3 hari lagi",
        "phrase_en": "due in 3 days",
        "days_left": 3,
        "due_local_id": "3 Maret 2023 pukul 23.59 WIB",
        "due_local_en": "3 March 2023, 23:59 WIB",
        "overdue": False,
        "link": "https://cerdas.example/programmes/p-1",
        **changes,
    }


def _ceremony(code, name, timezone, **changes):
    government_id, government_en = government_phrases(name, code)
    head_id, head_en = office_phrases("head_of_region", code)
    return {
        "region_name": name,
        "government_id": government_id,
        "government_en": government_en,
        "head_id": head_id,
        "head_en": head_en,
        **appointment_phrases(CEREMONY, timezone),
        "online": False,
        "link": None,
        "place_id": "Ruang Serbaguna, Kementerian Komunikasi dan Informatika, Jakarta",
        "place_en": "Ruang Serbaguna, Kementerian Komunikasi dan Informatika, Jakarta",
        "attendees_id": "",
        "attendees_en": "",
        "rescheduled": False,
        **changes,
    }


def _signed(**changes):
    government_id, government_en = government_phrases("Kabupaten Tapanuli Tengah", "12.01")
    return {
        "region_name": "Kabupaten Tapanuli Tengah",
        "government_id": government_id,
        "government_en": government_en,
        "head_id": "Bupati",
        "head_en": "Regent",
        "number": "NK-2023/001",
        "region_number": None,
        "ministry_number": None,
        "cohort_year": 2023,
        **appointment_phrases(datetime(2023, 2, 28, 3, 5, 41, tzinfo=UTC), "Asia/Jakarta"),
        "signatories_id": [
            domain.signatory_line(
                "Sugiharto Hutabarat",
                "Sekretaris Daerah Kabupaten Tapanuli Tengah",
                "Plh",
                "Pj Bupati Tapanuli Tengah",
                "id",
                "S.H.",
            ),
            domain.signatory_line("Semuel Abrijani Pangerapan", "Direktur Jenderal Aplikasi Informatika", None, None),
        ],
        "signatories_en": [
            domain.signatory_line(
                "Sugiharto Hutabarat",
                "Sekretaris Daerah Kabupaten Tapanuli Tengah",
                "Plh",
                "Pj Bupati Tapanuli Tengah",
                "en",
                "S.H.",
            ),
            domain.signatory_line(
                "Semuel Abrijani Pangerapan", "Direktur Jenderal Aplikasi Informatika", None, None, "en"
            ),
        ],
        "attendees_id": "",
        "attendees_en": "",
        **changes,
    }


def _session(**changes):
    dates_id, dates_en = date_range_phrases(date(2023, 3, 13), date(2023, 3, 14))
    return {
        "region_name": "Kabupaten Tapanuli Tengah",
        "title": "Bimbingan Teknis I Masterplan Smart City",
        "dates_id": dates_id,
        "dates_en": dates_en,
        "link": None,
        "place_id": "Hotel Santika Dyandra, Medan",
        "place_en": "Hotel Santika Dyandra, Medan",
        "rescheduled": False,
        **changes,
    }


def _day_before(**changes):
    return {
        "title": "Bimbingan Teknis I Masterplan Smart City",
        "region_name": "Kabupaten Tapanuli Tengah",
        "today": False,
        "day_id": "Senin, 13 Maret 2023",
        "day_en": "Monday, 13 March 2023",
        "time_id": None,
        "time_en": None,
        "link": None,
        **changes,
    }


SELECTION = {
    "region_name": "Kabupaten Tapanuli Tengah",
    "government_id": "Pemerintah Kabupaten Tapanuli Tengah",
    "government_en": "the Government of Kabupaten Tapanuli Tengah",
    "cohort_year": 2023,
    "day_id": "20 Januari 2023",
    "day_en": "20 January 2023",
}
JAYAPURA_LINK = "https://zoom.example/j/2023022810"
CASES = {
    "reminder_before": ("reminder.j2", _reminder()),
    "reminder_today_province": (
        "reminder.j2",
        _reminder(
            region_name="Provinsi Sulawesi Selatan",
            phrase_id="batas waktu hari ini",
            phrase_en="due today",
            days_left=0,
            due_local_id="3 Maret 2023 pukul 23.59 WITA",
            due_local_en="3 March 2023, 23:59 WITA",
            link=None,
        ),
    ),
    "reminder_overdue": (
        "reminder.j2",
        _reminder(phrase_id="terlambat", phrase_en="overdue", days_left=-1, overdue=True, link=None),
    ),
    "day_before_session": ("day_before_reminder.j2", _day_before()),
    "day_before_ceremony": (
        "day_before_reminder.j2",
        _day_before(
            title="Penandatanganan Nota Kesepakatan Gerakan Menuju Kota Cerdas",
            region_name="Kota Jayapura",
            day_id="Selasa, 28 Februari 2023",
            day_en="Tuesday, 28 February 2023",
            time_id="10.00 WIB / 12.00 WIT",
            time_en="10:00 WIB / 12:00 WIT",
            link=JAYAPURA_LINK,
        ),
    ),
    "selection_selected": (
        "selection_result.j2",
        {**SELECTION, "selected": True, "rank": 4, "total_id": "79,90", "total_en": "79.90"},
    ),
    "selection_not_selected": (
        "selection_result.j2",
        {
            **SELECTION,
            "region_name": "Kota Sibolga",
            "government_id": "Pemerintah Kota Sibolga",
            "government_en": "the Government of Kota Sibolga",
            "selected": False,
            "rank": 61,
            "total_id": "60,25",
            "total_en": "60.25",
        },
    ),
    "mou_scheduled_online_wit": (
        "mou_scheduled.j2",
        _ceremony(
            "91.71",
            "Kota Jayapura",
            "Asia/Jayapura",
            online=True,
            link=JAYAPURA_LINK,
            place_id=f"daring, melalui tautan {JAYAPURA_LINK}",
            place_en=f"online, at {JAYAPURA_LINK}",
            attendees_id="Kepala Badan Perencanaan Pembangunan Daerah dan "
            "Kepala Badan Pengelolaan Keuangan, Pendapatan dan Aset Daerah",
            attendees_en="Head of the Regional Development Planning Agency and "
            "Head of the Regional Finance, Revenue and Asset Agency",
        ),
    ),
    "mou_scheduled_offline_rescheduled": (
        "mou_scheduled.j2",
        _ceremony("12.01", "Kabupaten Tapanuli Tengah", "Asia/Jakarta", rescheduled=True),
    ),
    "mou_signed_both_numbers": (
        "mou_signed.j2",
        _signed(
            region_number="050/119/Bappeda/2023",
            ministry_number="B-123/DJAI/HK.03.02/02/2023",
            attendees_id="Kepala Dinas Komunikasi dan Informatika dan Kepala Badan Perencanaan Pembangunan Daerah",
            attendees_en="Head of the Communication and Informatics Office and "
            "Head of the Regional Development Planning Agency",
        ),
    ),
    "mou_signed_register_number": ("mou_signed.j2", _signed()),
    "programme_started": (
        "programme_started.j2",
        {
            "region_name": "Kabupaten Tapanuli Tengah",
            "cohort_year": 2023,
            "milestones": [
                {"title": "SK Dewan Smart City", "day_id": "14 April 2023", "day_en": "14 April 2023"},
                {"title": "Buku I Masterplan", "day_id": "31 Mei 2023", "day_en": "31 May 2023"},
            ],
            "regulation_id": "Peraturan Bupati (Perbup)",
            "regulation_en": "Regent Regulation (Perbup)",
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
    "session_scheduled": ("session_scheduled.j2", _session()),
    "session_rescheduled_online": (
        "session_scheduled.j2",
        _session(
            rescheduled=True,
            link="https://zoom.example/j/bimtek1",
            place_id="daring, melalui tautan https://zoom.example/j/bimtek1",
            place_en="online, at https://zoom.example/j/bimtek1",
        ),
    ),
}


def rendered(case: str) -> Rendered:
    template, context = CASES[case]
    return render(template, {**context, "recipient_formal": SEKDA})


@pytest.mark.parametrize("case", sorted(CASES))
def test_email_matches_its_snapshot(case):
    mail = rendered(case)
    actual = f"Subject: {mail.subject}\n\n--- text ---\n{mail.text}\n--- html ---\n{mail.html}"
    path = SNAPSHOTS / f"{case}.txt"
    if os.environ.get("CERDAS_UPDATE_SNAPSHOTS") == "1":
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}; run with CERDAS_UPDATE_SNAPSHOTS=1 and review it"
    assert actual == path.read_text(encoding="utf-8")


def test_every_template_has_a_snapshot_and_no_snapshot_is_left_over():
    templates = {p.name for p in TEMPLATES.glob("*.j2") if not p.name.startswith("_")}
    assert templates == {template for template, _ in CASES.values()}
    assert {p.stem for p in SNAPSHOTS.glob("*.txt")} == set(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_letter_keeps_the_conventions(case):
    mail = rendered(case)
    indonesian, english = mail.text.split("\n-- English --\n")
    for part in (indonesian, english):
        # A sentence runs into the next when a template swallows the line between them.
        assert not re.search(r"\w{3,}[.!?:;,][A-Z]", part), part
        # The particulars of an invitation ('Pukul         : 10.00 WIB') are aligned on purpose.
        prose = re.sub(r"(?m)^[A-Z][\w, ]*? +: .*$", "row", part)
        assert not re.search(r" [.,;:]|  |\S\n\n\n", prose), part
        assert "&amp;" not in part and "&#" not in part
    assert indonesian.startswith(f"Yth. {SEKDA},\n\nDengan hormat,")
    assert english.lstrip().startswith(f"Dear {SEKDA},")
    assert indonesian.count("Hormat kami,\nDirektorat Jenderal Aplikasi Informatika\n") == 1
    assert english.count("Yours faithfully,\nDirectorate General of Informatics Applications\n") == 1
    assert "Telepon (021) 3452841" in indonesian and "Jalan Medan Merdeka Barat No. 9, Jakarta 10110" in english
    for stale in ("Tim Cerdas", "Smart City Movement", "Kota/Kabupaten Cerdas", "Salam,", "Regards,"):
        assert stale not in mail.text and stale not in mail.subject
    words = re.findall(r"\w+", mail.subject.lower())
    assert words.count("terlambat") <= 1 and words.count("overdue") <= 1, mail.subject
    assert mail.html.count("<p>Hormat kami,<br>") == 1 and mail.html.count("<p>Yours faithfully,<br>") == 1


def test_the_programme_has_one_name_in_every_template():
    for path in TEMPLATES.glob("*.j2"):
        text = path.read_text("utf-8")
        assert "Menuju Kota Cerdas" not in text and "Smart City Movement" not in text, path.name
    assert PROGRAMME_NAME == "Gerakan Menuju Kota Cerdas"
    assert PROGRAMME_NAME in rendered("selection_selected").subject


def test_the_closing_comes_from_the_settings():
    settings = load_settings(
        {
            "CERDAS_MAIL_SENDER_UNIT": "Direktorat Jenderal Aplikasi Informatika",
            "CERDAS_MAIL_SENDER_NAME": "Kementerian Komunikasi dan Digital",
            "CERDAS_MAIL_CONTACT_ADDRESS": "Jalan Medan Merdeka Barat No. 9, Jakarta Pusat 10110",
            "CERDAS_MAIL_CONTACT_PHONE": "(021) 3452841 ext. 4200",
        }
    ).notifications
    template, context = CASES["deliverable_accepted"]
    mail = render(template, {**context, "recipient_formal": SEKDA}, Letterhead.from_settings(settings))
    assert "Hormat kami,\nDirektorat Jenderal Aplikasi Informatika\nKementerian Komunikasi dan Digital\n" in mail.text
    assert "Jakarta Pusat 10110\nTelepon (021) 3452841 ext. 4200" in mail.text


def test_the_plain_text_carries_what_regions_and_mentors_write_and_html_escapes_it():
    template, context = CASES["deliverable_revision"]
    mail = render(template, {**context, "comments": "<script>x</script> & co", "recipient_formal": "A & B"})
    assert "<script>" not in mail.html and "&lt;script&gt;" in mail.html and "A &amp; B" in mail.html
    assert "<script>x</script> & co" in mail.text and "Yth. A & B," in mail.text


@pytest.mark.parametrize(
    "subject",
    [
        "[Cerdas] Undangan penandatanganan Nota Kesepakatan: Kabupaten Tapanuli Tengah, Selasa, 28 Februari 2023 / "
        "Invitation to the MoU signing",
        "[Cerdas] Pengingat: Lengkapi penilaian mandiri dan bukti dukung Gerakan Menuju Kota Cerdas 2023 "
        "(3 hari lagi) / Reminder: due in 3 days",
        "Perubahan jadwal Bimbingan Teknis I–IV: Kabupaten Tapanuli Tengah — Senin s.d. Selasa / Rescheduled “bimtek”",
        "Utara, Kabupaten lagi) Kabupaten Menuju Sumatera Smart WIB due / / Februari",
    ],
)
def test_a_long_subject_folds_at_its_spaces_and_reads_back_unchanged(subject):
    message = build_message(
        sender="Cerdas <noreply@cerdas.example>",
        recipient="sekda@tapteng.example",
        recipient_name="Sugiharto Hutabarat",
        rendered=Rendered(subject, "teks\n", "<p>teks</p>\n"),
        msg_id="<x@cerdas.example>",
        correlation_id=None,
        date=CEREMONY,
        calendar=None,
    )
    raw = message.as_bytes()
    header = raw[raw.index(b"Subject:") : raw.index(b"Message-ID:")].decode("ascii")
    assert not header.startswith("Subject:\n") and not header.startswith("Subject: \n"), header
    assert all(len(line) <= 78 for line in header.splitlines()), header
    assert str(message_from_bytes(raw, policy=default_policy)["Subject"]) == subject


def test_officials_are_addressed_with_acting_designation_position_and_titles():
    assert domain.formal_name("Elfin Ilyas Nainggolan", "S.STP., M.Si.", "Pj", "Bupati Tapanuli Tengah") == (
        "Pj. Bupati Tapanuli Tengah, Elfin Ilyas Nainggolan, S.STP., M.Si."
    )
    assert domain.formal_name("Sugiharto Hutabarat", "S.H.", "Plh", "Plh Sekretaris Daerah") == (
        "Plh. Sekretaris Daerah, Sugiharto Hutabarat, S.H."
    )
    assert domain.formal_name("Budi", None, "Plt", None) == "Plt. Budi"
    assert domain.formal_name("Budi", None, "Plt.", "Plt. Kepala Dinas") == "Plt. Kepala Dinas, Budi"
    assert domain.signatory_line("Sugiharto Hutabarat", "Sekretaris Daerah", "Plh", "Pj Bupati X", title="S.H.") == (
        "Plh. Sekretaris Daerah, Sugiharto Hutabarat, S.H., a.n. Pj. Bupati X"
    )


def test_dates_times_and_numbers_are_written_as_the_ministry_writes_them():
    assert local_due_phrases(DUE, "Asia/Jakarta") == ("3 Maret 2023 pukul 23.59 WIB", "3 March 2023, 23:59 WIB")
    wit = end_of_local_day(date(2023, 3, 3), "Asia/Jayapura")
    assert local_due_phrases(wit, "Asia/Jayapura")[0] == "3 Maret 2023 pukul 23.59 WIT"
    assert local_date_phrases(datetime(2023, 2, 27, 18, 0, tzinfo=UTC), "Asia/Makassar") == (
        "28 Februari 2023",
        "28 February 2023",
    )
    assert clock_phrases(CEREMONY, "Asia/Jakarta") == ("10.00 WIB", "10:00 WIB")
    assert clock_phrases(CEREMONY, "Asia/Makassar") == ("10.00 WIB / 11.00 WITA", "10:00 WIB / 11:00 WITA")
    late = datetime(2023, 2, 28, 16, 0, tzinfo=UTC)  # 23.00 WIB, already 1 March in Jayapura
    assert clock_phrases(late, "Asia/Jayapura")[0] == "23.00 WIB / 01.00 WIT (1 Maret 2023)"
    assert appointment_phrases(CEREMONY, "Asia/Jayapura")["day_id"] == "Selasa, 28 Februari 2023"
    assert date_range_phrases(date(2023, 3, 30), date(2023, 4, 1)) == (
        "Kamis s.d. Sabtu, 30 Maret s.d. 1 April 2023",
        "Thursday to Saturday, 30 March to 1 April 2023",
    )
    assert date_range_phrases(date(2023, 3, 13), date(2023, 3, 13))[0] == "Senin, 13 Maret 2023"
    assert decimal_phrases(79.9) == ("79,90", "79.90")
    assert list_phrases([("A", "A"), ("B", "B"), ("C", "C")]) == ("A, B, dan C", "A, B and C")
    assert regulation_phrases("91.71") == ("Peraturan Wali Kota (Perwali)", "Mayor Regulation (Perwali)")
    assert government_phrases("Sumatera Utara", "12") == (
        "Pemerintah Provinsi Sumatera Utara",
        "the Government of Provinsi Sumatera Utara",
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
    session = datetime(2023, 3, 3, 1, 0, tzinfo=UTC)  # 09:00 WITA on 3 March
    day_before = domain.plan_reminders(session, "Asia/Makassar", policy, mode=domain.DAY_BEFORE)
    assert [(r.kind, r.due_at, r.step) for r in day_before] == [
        ("day_before", datetime(2023, 3, 2, 0, 0, tzinfo=UTC), 0)  # 08:00 WITA the day before
    ]


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
    assert domain.reminder_roles(domain.DAY_BEFORE, everyone, chain, 0) == everyone


def test_a_late_reminder_says_how_much_time_is_really_left():
    assert domain.describe_kind("before_7", 3) == ("3 hari lagi", "due in 3 days")
    assert domain.describe_kind("before_1") == ("1 hari lagi", "due in 1 day")
    assert domain.describe_kind("before_3", 0) == ("batas waktu hari ini", "due today")
    assert domain.describe_kind("overdue_1", -1) == ("terlambat", "overdue")


def test_smtp_answers_are_classified():
    assert domain.classify_smtp_failure(550, "5.1.1 No such user", 1, 8).status == "failed"
    assert domain.classify_smtp_failure(451, "try later", 1, 8).status == "retry"
    assert domain.classify_smtp_failure(None, "ConnectionRefusedError", 1, 8).status == "retry"
    assert domain.classify_smtp_failure(451, "try later", 8, 8).status == "failed"
    assert [domain.retry_delay(n, 60).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
