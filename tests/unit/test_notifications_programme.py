"""Deadlines ordered by their publisher's version, day-before reminders, bimtek invitations, MoU ceremonies
and the calendar entries they carry: through commands, consumers and the beat, on an in-memory database."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from services.notifications import handlers, sending
from services.notifications.commands import ApplyDeadlineCleared, ApplyDeadlineSet, QueueNotice
from services.notifications.consumers import subscriptions
from services.notifications.directory import OfficialsDirectory
from services.notifications.handlers import deadlines as deadlines_module
from services.notifications.notifier import Notifier
from services.notifications.orm import Deadline, Reminder, metadata
from shared import events
from shared.clock import end_of_local_day
from shared.config import NotificationSettings, ReminderPolicy
from shared.messaging.inbox import consume
from tests.support.memory import MemoryService
from tests.support.notifications import (
    EMAIL,
    OFFICIALS,
    REGION,
    REGION_NAME,
    FakeOfficials,
    FakeTransport,
    calendar_of,
    deadline_set,
    html_of,
    text_of,
    wire,
)

# 28 Feb 2023, 03:00 in Jakarta (WIB, UTC+7): before the day's 08:00 sending hour.
ANNOUNCED = datetime(2023, 2, 27, 20, 0, tzinfo=UTC)
DUE = end_of_local_day(date(2023, 3, 3), "Asia/Jakarta")
DEADLINE_ID = events.milestone_deadline_id("m-1")
SESSION_ID = "s-1"
HOUR = timedelta(hours=1)


def wib(day: int, hour: int, month: int = 3) -> datetime:
    return datetime(2023, month, day, hour, tzinfo=UTC) - timedelta(hours=7)


@pytest.fixture
def service() -> MemoryService:
    return MemoryService(metadata, "notifications", at=ANNOUNCED)


@pytest.fixture
def transport() -> FakeTransport:
    return FakeTransport()


@pytest.fixture
def notifier(service, transport) -> Notifier:
    directory = OfficialsDirectory(FakeOfficials(), service.sessions, service.clock, 300)
    return Notifier(settings=NotificationSettings(), directory=directory, transport=transport)


class Recorder:
    """Stands in for a module's logger and keeps every line."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, dict]] = []

    def _keep(self, event: str, **fields) -> None:
        self.lines.append((event, fields))

    info = warning = error = _keep


def set_command(due_at=DUE, occurred_at=ANNOUNCED, **changes) -> ApplyDeadlineSet:
    fields = {
        "deadline_id": DEADLINE_ID,
        "region_code": REGION,
        "region_name": REGION_NAME,
        "timezone": "Asia/Jakarta",
        "kind": "milestone",
        "title": "SK Dewan Smart City",
        "due_at": due_at,
        "audience": ("kominfo_head", "bappeda_head"),
        "link": None,
        "source": "mentoring",
        "correlation_id": "corr-notifications",
        "occurred_at": occurred_at,
        "policy": ReminderPolicy(),
    }
    return ApplyDeadlineSet(**{**fields, **changes})


def cleared_command(occurred_at: datetime, version: int | None = None) -> ApplyDeadlineCleared:
    return ApplyDeadlineCleared(
        deadline_id=DEADLINE_ID,
        region_code=REGION,
        source="mentoring",
        correlation_id="corr-notifications",
        occurred_at=occurred_at,
        version=version,
    )


def deadline_row(service: MemoryService) -> Deadline:
    with service.sessions() as session:
        return session.get(Deadline, DEADLINE_ID)


def reminder_rows(service: MemoryService) -> list[tuple[str, str, datetime]]:
    with service.sessions() as session:
        rows = session.execute(select(Reminder.kind, Reminder.status, Reminder.due_at).order_by(Reminder.due_at))
        return [tuple(row) for row in rows]


def beat(service: MemoryService, notifier: Notifier, at: datetime) -> None:
    service.clock.set(at)
    sending.scan_reminders(service.uow, notifier)
    sending.deliver_due(service.uow, notifier)


def consume_event(service: MemoryService, notifier: Notifier, envelope: dict) -> str:
    return consume(service.uow, subscriptions(SimpleNamespace(notifier=notifier)), envelope)


# --- 1. deadlines are ordered by their publisher's version, not by clocks --------------------------


def test_a_newer_version_applies_though_its_process_clock_runs_behind(service):
    service.run(handlers.apply_deadline_set, set_command(occurred_at=ANNOUNCED + HOUR, version=1))
    # The deliverable was accepted after the programme started, on a host whose clock is an hour behind.
    service.run(handlers.apply_deadline_cleared, cleared_command(ANNOUNCED, version=2))
    row = deadline_row(service)
    assert (row.status, row.version) == ("cleared", 2)
    assert {status for _kind, status, _due in reminder_rows(service)} == {"cancelled"}


def test_an_older_version_is_ignored_and_logged_with_both_versions(service, monkeypatch):
    log = Recorder()
    monkeypatch.setattr(deadlines_module, "log", log)
    service.run(handlers.apply_deadline_set, set_command(version=2))
    late = set_command(due_at=DUE + timedelta(days=7), occurred_at=ANNOUNCED + HOUR, version=1)
    assert service.run(handlers.apply_deadline_set, late) == 0
    service.run(handlers.apply_deadline_cleared, cleared_command(ANNOUNCED + 2 * HOUR, version=2))
    row = deadline_row(service)
    assert (row.due_at, row.status, row.version) == (DUE, "active", 2)
    stale = [(event, fields["version"], fields["applied_version"]) for event, fields in log.lines]
    assert stale == [("stale deadline.set ignored", 1, 2), ("stale deadline.cleared ignored", 2, 2)]


def test_a_versioned_set_after_a_clearing_that_overtook_it_is_judged_by_version(service):
    service.run(handlers.apply_deadline_cleared, cleared_command(ANNOUNCED + HOUR, version=1))
    # The set counted after the clearing (the milestone reopened), though its host's clock says earlier.
    assert service.run(handlers.apply_deadline_set, set_command(occurred_at=ANNOUNCED, version=2)) == 5
    assert deadline_row(service).status == "active"


def test_events_without_a_version_are_still_ordered_by_their_timestamps(service):
    service.run(handlers.apply_deadline_set, set_command(occurred_at=ANNOUNCED + HOUR))
    assert service.run(handlers.apply_deadline_set, set_command(DUE + timedelta(days=7), ANNOUNCED)) == 0
    # A versioned event meets a row stored without one: only the timestamps can order them.
    assert service.run(handlers.apply_deadline_set, set_command(DUE + timedelta(days=7), ANNOUNCED, version=4)) == 0
    assert deadline_row(service).due_at == DUE


# --- 2. a session or ceremony is reminded once, the day before -------------------------------------


def day_before_command(due_at: datetime, occurred_at: datetime = ANNOUNCED, **changes) -> ApplyDeadlineSet:
    return set_command(
        due_at,
        occurred_at,
        deadline_id=events.session_deadline_id(SESSION_ID),
        kind="session",
        title="Bimbingan Teknis I Masterplan Smart City",
        audience=("regional_secretary", "kominfo_head", "bappeda_head"),
        reminders="day_before",
        version=1,
        **changes,
    )


def test_a_day_before_deadline_plans_exactly_one_reminder_at_the_sending_hour(service):
    assert service.run(handlers.apply_deadline_set, day_before_command(wib(13, 9))) == 1
    with service.sessions() as session:
        [reminder] = session.scalars(select(Reminder)).all()
    assert (reminder.kind, reminder.due_at, reminder.step) == ("day_before", wib(12, 8), 0)


def test_a_day_before_deadline_announced_after_that_hour_plans_nothing(service):
    assert service.run(handlers.apply_deadline_set, day_before_command(wib(13, 9), occurred_at=wib(12, 10))) == 0


def test_a_day_before_reminder_reaches_the_whole_audience_once_and_never_escalates(service, notifier, transport):
    consume_event(
        service,
        notifier,
        deadline_set(
            wib(13, 9),
            ANNOUNCED,
            deadline_id=events.session_deadline_id(SESSION_ID),
            title="Bimbingan Teknis I Masterplan Smart City",
            audience=("regional_secretary", "kominfo_head", "bappeda_head"),
            kind="session",
            reminders="day_before",
            version=1,
        ),
    )
    beat(service, notifier, wib(11, 9))
    assert transport.sent == []
    beat(service, notifier, wib(12, 8))
    assert sorted(m["To"].addresses[0].addr_spec for m in transport.sent) == sorted(
        [EMAIL["regional_secretary"], EMAIL["kominfo_head"], EMAIL["bappeda_head"]]
    )
    for day in (13, 14, 15, 16):
        beat(service, notifier, wib(day, 9))
    assert len(transport.sent) == 3, "no on-the-day, overdue or escalation reminder"
    message = transport.sent[0]
    assert "besok" in message["Subject"] and "Senin, 13 Maret 2023" in text_of(message)
    assert calendar_of(message) is None, "the invitation put the session in the calendar already"


# --- 3. bimtek sessions are announced with an invitation ------------------------------------------


def session_event(sequence: int = 0, **changes) -> dict:
    data = events.SessionScheduledV1(
        **{
            "programme_id": "p-1",
            "session_id": SESSION_ID,
            "region_code": REGION,
            "region_name": REGION_NAME,
            "timezone": "Asia/Jakarta",
            "stage_key": "bimtek_1",
            "title": "Bimbingan Teknis I Masterplan Smart City",
            "starts_on": date(2023, 3, 13),
            "ends_on": date(2023, 3, 14),
            "audience": ["regional_secretary", "kominfo_head", "bappeda_head"],
            "venue": "Hotel Santika Dyandra, Medan",
            "sequence": sequence,
            **changes,
        }
    )
    return wire("mentoring.session_scheduled", data, ANNOUNCED)


def test_a_bimtek_session_is_an_all_day_invitation_to_its_audience(service, notifier, transport):
    assert consume_event(service, notifier, session_event()) == "processed"
    beat(service, notifier, ANNOUNCED)
    assert sorted(m["To"].addresses[0].addr_spec for m in transport.sent) == sorted(
        [EMAIL["regional_secretary"], EMAIL["kominfo_head"], EMAIL["bappeda_head"]]
    )
    assert reminder_rows(service) == [], "the invitation is a notice; the day-before mail is the reminder"
    for message in transport.sent:
        calendar = calendar_of(message)
        assert str(calendar["METHOD"]) == "REQUEST"
        [entry] = calendar.walk("VEVENT")
        assert str(entry["UID"]) == "mentoring:session:s-1@cerdas.example"
        assert entry.decoded("DTSTART") == date(2023, 3, 13) and entry.decoded("DTEND") == date(2023, 3, 15)
        assert int(entry["SEQUENCE"]) == 0
        assert str(entry["ATTENDEE"]) == f"mailto:{message['To'].addresses[0].addr_spec}"
        text = text_of(message)
        assert "Senin s.d. Selasa, 13 s.d. 14 Maret 2023" in text and "Hotel Santika Dyandra, Medan" in text

    transport.sent.clear()
    consume_event(service, notifier, session_event(sequence=1, starts_on=date(2023, 3, 14), ends_on=date(2023, 3, 15)))
    beat(service, notifier, ANNOUNCED)
    [entry] = calendar_of(transport.sent[0]).walk("VEVENT")
    assert (str(entry["UID"]), int(entry["SEQUENCE"])) == ("mentoring:session:s-1@cerdas.example", 1)


def test_a_session_is_invited_once_and_reminded_once(service, notifier, transport):
    consume_event(service, notifier, session_event())
    consume_event(
        service,
        notifier,
        deadline_set(
            wib(13, 0),
            ANNOUNCED,
            deadline_id=events.session_deadline_id(SESSION_ID),
            title="Bimbingan Teknis I Masterplan Smart City",
            audience=("regional_secretary", "kominfo_head", "bappeda_head"),
            kind="session",
            reminders="day_before",
            version=1,
        ),
    )
    for at in (ANNOUNCED, wib(1, 8), wib(12, 8), wib(13, 8), wib(14, 8), wib(15, 8)):
        beat(service, notifier, at)
    invitations = [m for m in transport.sent if calendar_of(m) is not None]
    day_before = [m for m in transport.sent if calendar_of(m) is None]
    assert (len(invitations), len(day_before)) == (3, 3)
    assert all(m["Date"] == invitations[0]["Date"] for m in invitations)


# --- 4. MoU ceremonies ---------------------------------------------------------------------------


def ceremony(region_code: str, timezone: str, region_name: str, **extra) -> QueueNotice:
    data = events.MouScheduledV1(
        agreement_id="a-1",
        region_code=region_code,
        timezone=timezone,
        scheduled_at=datetime(2023, 2, 28, 3, 0, tzinfo=UTC),
        region_name=region_name,
        deadline_id=events.signing_deadline_id("a-1"),
        **extra,
    )
    return QueueNotice(
        "mou.scheduled", "e-1", ANNOUNCED, None, region_code, data.model_dump(), tuple(OFFICIALS), "noreply@x.example"
    )


def test_a_ceremony_shows_the_region_its_own_time_next_to_wib_and_the_meeting_link(service, notifier, transport):
    link = "https://zoom.example/j/2023022810"
    jayapura = ceremony(
        "91.71", "Asia/Jayapura", "Kota Jayapura", mode="online", venue=link, attendees=["bpkpad_head"], sequence=2
    )
    service.run(handlers.queue_notice, jayapura)
    beat(service, notifier, ANNOUNCED)
    message = transport.sent[0]
    text = text_of(message)
    assert re.search(r"Hari, tanggal : Selasa, 28 Februari 2023\nPukul +: 10\.00 WIB / 12\.00 WIT\n", text)
    assert re.search(r"Time +: 10:00 WIB / 12:00 WIT\n", text)
    assert link in text and f'href="{link}"' in html_of(message)
    assert "Kepala Badan Pengelolaan Keuangan, Pendapatan dan Aset Daerah" in text
    assert "Apabila Wali Kota berhalangan" in text
    [entry] = calendar_of(message).walk("VEVENT")
    assert int(entry["SEQUENCE"]) == 2 and str(entry["URL"]) == link


def test_a_ceremony_in_a_wib_region_names_one_zone(service, notifier, transport):
    service.run(handlers.queue_notice, ceremony(REGION, "Asia/Jakarta", REGION_NAME, mode="offline", venue="Jakarta"))
    beat(service, notifier, ANNOUNCED)
    text = text_of(transport.sent[0])
    assert re.search(r"Pukul +: 10\.00 WIB\nTempat +: Jakarta\n", text) and "WIB /" not in text


def signed(**extra) -> QueueNotice:
    data = events.MouSignedV1(
        agreement_id="a-1",
        number="NK-2023/001",
        cohort_year=2023,
        region_code=REGION,
        region_name=REGION_NAME,
        timezone="Asia/Jakarta",
        signed_at=datetime(2023, 2, 28, 3, 5, 41, tzinfo=UTC),
        signatories=[
            events.Signatory(
                party="region",
                name="Sugiharto Hutabarat",
                title="S.H.",
                position="Sekretaris Daerah Kabupaten Tapanuli Tengah",
                acting="Plh",
                on_behalf_of="Pj Bupati Tapanuli Tengah",
            ),
            events.Signatory(
                party="ministry", name="Semuel Abrijani Pangerapan", position="Direktur Jenderal Aplikasi Informatika"
            ),
        ],
        **extra,
    )
    return QueueNotice(
        "mou.signed", "e-9", ANNOUNCED, None, REGION, data.model_dump(), tuple(OFFICIALS), "noreply@x.example"
    )


def test_the_signed_notice_names_both_numbers_titles_and_attendees(service, notifier, transport):
    service.run(
        handlers.queue_notice,
        signed(
            region_number="050/119/Bappeda/2023",
            ministry_number="B-123/DJAI/HK.03.02/02/2023",
            attendees=["kominfo_head", "bappeda_head"],
        ),
    )
    beat(service, notifier, ANNOUNCED)
    text = text_of(transport.sent[0])
    assert "050/119/Bappeda/2023" in text and "B-123/DJAI/HK.03.02/02/2023" in text
    line = (
        "Plh. Sekretaris Daerah Kabupaten Tapanuli Tengah, Sugiharto Hutabarat, S.H., a.n. Pj. Bupati Tapanuli Tengah"
    )
    assert line in text
    assert "Kepala Dinas Komunikasi dan Informatika" in text and "Kepala Badan Perencanaan Pembangunan Daerah" in text


# --- 6. calendar entries change with their event, and only real events are entries ------------------


def reminder_calendar(transport: FakeTransport, index: int = -1):
    [entry] = calendar_of(transport.sent[index]).walk("VEVENT")
    return entry


@pytest.mark.parametrize("versioned", [True, False])
def test_a_moved_deadline_is_an_all_day_entry_whose_sequence_rises(service, notifier, transport, versioned):
    version = {"version": 1} if versioned else {}
    consume_event(service, notifier, deadline_set(DUE, ANNOUNCED, audience=("kominfo_head",), **version))
    beat(service, notifier, wib(28, 8, month=2))
    first = reminder_calendar(transport)
    assert first.decoded("DTSTART") == date(2023, 3, 3) and first.decoded("DTEND") == date(2023, 3, 4)
    moved = {"version": 2} if versioned else {}
    consume_event(
        service, notifier, deadline_set(DUE + timedelta(days=7), ANNOUNCED + HOUR, audience=("kominfo_head",), **moved)
    )
    beat(service, notifier, wib(3, 8))
    second = reminder_calendar(transport)
    assert second.decoded("DTSTART") == date(2023, 3, 10)
    assert str(first["UID"]) == str(second["UID"])
    assert int(second["SEQUENCE"]) > int(first["SEQUENCE"])


def test_the_signed_notice_updates_the_invitation_with_the_next_sequence(service, notifier, transport):
    service.run(handlers.queue_notice, ceremony(REGION, "Asia/Jakarta", REGION_NAME, mode="online", sequence=3))
    service.run(handlers.queue_notice, signed())
    beat(service, notifier, ANNOUNCED)
    by_subject = {
        ("ditandatangani" in m["Subject"]): reminder_calendar(transport, i) for i, m in enumerate(transport.sent)
    }
    assert str(by_subject[True]["UID"]) == str(by_subject[False]["UID"])
    assert (int(by_subject[False]["SEQUENCE"]), int(by_subject[True]["SEQUENCE"])) == (3, 4)
    assert by_subject[True].decoded("DTSTART").second == 0, "a ceremony is written to the minute"


def test_stage_notices_carry_no_meaningless_calendar_entries(service, notifier, transport):
    selected = events.RegionSelectedV1(
        cohort_year=2023,
        region_code=REGION,
        region_name=REGION_NAME,
        region_kind="kabupaten",
        timezone="Asia/Jakarta",
        rank=4,
        total=79.9,
    )
    started = events.ProgrammeStartedV1(
        programme_id="p-1",
        agreement_id="a-1",
        cohort_year=2023,
        region_code=REGION,
        timezone="Asia/Jakarta",
        milestones=[
            events.MilestoneRef(milestone_id="m-1", key="sk", title="SK Dewan Smart City", due_at=DUE),
        ],
    )
    consume_event(service, notifier, wire("assessment.region_selected", selected, ANNOUNCED, source="assessment"))
    consume_event(service, notifier, wire("mentoring.programme_started", started, ANNOUNCED + timedelta(seconds=25)))
    beat(service, notifier, ANNOUNCED + HOUR)
    selection = [m for m in transport.sent if "seleksi" in m["Subject"].lower()]
    assert selection and all(calendar_of(m) is None for m in selection)
    assert "79,90" in text_of(selection[0]) and "79.90" in text_of(selection[0]).split("English")[-1]
    programme = [m for m in transport.sent if "Pendampingan" in m["Subject"]]
    entries = calendar_of(programme[0]).walk("VEVENT")
    assert [str(e["UID"]) for e in entries] == ["mentoring:milestone:m-1@cerdas.example"]
    assert entries[0].decoded("DTSTART") == date(2023, 3, 3)


def test_a_province_is_named_as_a_province(service, notifier, transport):
    consume_event(
        service,
        notifier,
        deadline_set(DUE, ANNOUNCED, audience=("kominfo_head",), region_code="12", region_name="Sumatera Utara"),
    )
    beat(service, notifier, wib(28, 8, month=2))
    assert "Provinsi Sumatera Utara" in text_of(transport.sent[0])
