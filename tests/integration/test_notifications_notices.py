"""Stage notices, the deliveries API, the CLI and the officials cache, on real PostgreSQL, Redis and SMTP."""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar
import pytest

from services.notifications.mail import SmtpTransport
from shared import events
from tests.conftest import auth
from tests.support.notifications import (
    EMAIL,
    REGION_NAME,
    FakeOfficials,
    deadline_set,
    deliver_event,
    moved_to,
    sweep,
    wire,
)

NOW = datetime(2023, 2, 20, 3, 0, tzinfo=UTC)


@pytest.fixture
def officials():
    return FakeOfficials()


@pytest.fixture
def service(make_runtime, smtp_server, officials, clock):
    clock.set(NOW)
    return make_runtime("notifications", officials_source=officials, transport=SmtpTransport(smtp_server.url, 5))


def calendar_of(message):
    [part] = [p for p in message.message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return part, icalendar.Calendar.from_ical(part.get_payload(decode=True))


def test_selection_results_reach_the_head_of_region_secretary_and_kominfo(service, smtp_server):
    selected = events.RegionSelectedV1(
        cohort_year=2023,
        region_code="12.01",
        region_name=REGION_NAME,
        region_kind="kabupaten",
        timezone="Asia/Jakarta",
        rank=4,
        total=88.5,
    )
    deliver_event(service, wire("assessment.region_selected", selected, NOW, source="assessment"))
    sweep(service)
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == sorted(
        [EMAIL["head_of_region"], EMAIL["regional_secretary"], EMAIL["kominfo_head"]]
    )
    bupati = smtp_server.messages_to(EMAIL["head_of_region"])[0]
    assert bupati.subject.startswith("[Cerdas] Hasil seleksi Gerakan Menuju Kota Cerdas 2023: Kabupaten Tapanuli")
    assert "Yth. Pj. Bupati Tapanuli Tengah, Elfin Ilyas Nainggolan, S.STP., M.Si.," in bupati.text()
    assert "nilai 88,50" in bupati.text() and "score of 88.50" in bupati.text()
    assert "20 Februari 2023" in bupati.text()

    not_selected = events.RegionNotSelectedV1(
        cohort_year=2023, region_code="12.01", region_name=REGION_NAME, region_kind="kabupaten", rank=61, total=60.0
    )
    deliver_event(service, wire("assessment.region_not_selected", not_selected, NOW, source="assessment"))
    sweep(service)
    assert sum("belum terpilih" in m.text() for m in smtp_server.messages) == 3


def test_a_scheduled_signing_comes_with_a_calendar_invitation_for_each_official(service, smtp_server):
    scheduled = events.MouScheduledV1(
        agreement_id="a-1",
        region_code="12.01",
        timezone="Asia/Jakarta",
        scheduled_at=datetime(2023, 2, 28, 3, 0, tzinfo=UTC),
        mode="online",
    )
    deliver_event(service, wire("mou.scheduled", scheduled, NOW, source="mou"))
    sweep(service)
    assert len(smtp_server.messages) == 4  # head, sekda, kominfo, bappeda; the region has no BPKPAD head
    for message in smtp_server.messages:
        part, calendar = calendar_of(message)
        assert part.get_param("method") == "REQUEST" and str(calendar["METHOD"]) == "REQUEST"
        [event] = calendar.walk("VEVENT")
        assert str(event["ATTENDEE"]) == f"mailto:{message.rcpt_tos[0]}", "each copy invites its own reader"
        assert event.decoded("DTSTART").replace(tzinfo=None) == datetime(2023, 2, 28, 10, 0)
        assert event.decoded("DTSTART").tzinfo.key == "Asia/Jakarta"
        text = message.text().replace("\r\n", "\n")
        assert "Hari, tanggal : Selasa, 28 Februari 2023\nPukul         : 10.00 WIB\n" in text
        assert "Tempat        : daring" in text


def test_a_rescheduled_signing_replaces_the_invitation_even_within_the_same_second(service, smtp_server):
    def schedule(day):
        return wire(
            "mou.scheduled",
            events.MouScheduledV1(
                agreement_id="a-1",
                region_code="12.01",
                timezone="Asia/Jakarta",
                mode="online",
                scheduled_at=datetime(2023, 2, day, 3, 0, tzinfo=UTC),
                deadline_id="mou:signing:a-1",
            ),
            NOW,
            source="mou",
        )

    deliver_event(service, schedule(27))
    deliver_event(service, schedule(28))  # the same instant as the first: only the count can order them
    sweep(service)
    kominfo = smtp_server.messages_to(EMAIL["kominfo_head"])
    assert len(kominfo) == 2
    first, second = ([*calendar_of(m)[1].walk("VEVENT")][0] for m in kominfo)
    assert first["UID"] == second["UID"]
    assert int(second["SEQUENCE"]) > int(first["SEQUENCE"])
    assert second.decoded("DTSTART").day == 28


def test_signing_programme_start_and_reviews_are_announced(service, smtp_server, clock):
    signed = events.MouSignedV1(
        agreement_id="a-1",
        number="NK-2023/001",
        cohort_year=2023,
        region_code="12.01",
        region_name=REGION_NAME,
        timezone="Asia/Jakarta",
        signed_at=datetime(2023, 2, 28, 3, 0, tzinfo=UTC),
        signatories=[
            events.Signatory(
                party="region",
                name="Sugiharto Hutabarat",
                position="Sekretaris Daerah",
                acting="Plh",
                on_behalf_of="Pj Bupati Tapanuli Tengah",
            ),
            events.Signatory(
                party="ministry", name="Semuel Abrijani Pangerapan", position="Direktur Jenderal Aplikasi Informatika"
            ),
        ],
    )
    deliver_event(service, wire("mou.signed", signed, NOW, source="mou"))
    milestones = [
        events.MilestoneRef(
            milestone_id="m-1", key="sk_dewan", title="SK Dewan Smart City", due_at=datetime(2023, 4, 14, 16, 59)
        ),
        events.MilestoneRef(milestone_id="m-2", key="buku_1", title="Buku I", due_at=datetime(2023, 5, 31, 16, 59)),
    ]
    started = events.ProgrammeStartedV1(
        programme_id="p-1",
        agreement_id="a-1",
        cohort_year=2023,
        region_code="12.01",
        timezone="Asia/Jakarta",
        milestones=[m.model_copy(update={"due_at": m.due_at.replace(tzinfo=UTC)}) for m in milestones],
    )
    deliver_event(service, wire("mentoring.programme_started", started, NOW))
    sweep(service)
    signed_mail = [m for m in smtp_server.messages if "telah ditandatangani" in m.subject]
    assert len(signed_mail) == 4
    assert "Plh. Sekretaris Daerah, Sugiharto Hutabarat, a.n. Pj. Bupati Tapanuli Tengah" in signed_mail[0].text()
    assert "Nomor Nota Kesepakatan: NK-2023/001" in signed_mail[0].text()
    programme_mail = [m for m in smtp_server.messages if "Pendampingan" in m.subject]
    assert sorted(m.rcpt_tos[0] for m in programme_mail) == sorted(
        [EMAIL["regional_secretary"], EMAIL["kominfo_head"], EMAIL["bappeda_head"]]
    )
    _part, calendar = calendar_of(programme_mail[0])
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert uids == [
        "mentoring:milestone:m-1@cerdas.example",
        "mentoring:milestone:m-2@cerdas.example",
    ]
    assert "14 April 2023" in programme_mail[0].text()

    # A revision request names the milestone and its deadline, and keeps it in the calendar.
    deliver_event(
        service,
        deadline_set(
            datetime(2023, 5, 31, 16, 59, tzinfo=UTC), NOW, deadline_id="mentoring:milestone:m-2", title="Buku I"
        ),
    )
    reviewed = events.DeliverableReviewedV1(
        programme_id="p-1",
        region_code="12.01",
        milestone_id="m-2",
        submission_id="s-1",
        decision="revision_requested",
        comments="Lengkapi analisis SWOT.",
    )
    before = len(smtp_server.messages)
    deliver_event(service, wire("mentoring.deliverable_reviewed", reviewed, NOW))
    sweep(service)
    review_mail = smtp_server.messages[before:]
    assert sorted(m.rcpt_tos[0] for m in review_mail) == sorted([EMAIL["kominfo_head"], EMAIL["bappeda_head"]])
    assert review_mail[0].subject.startswith("[Cerdas] Perlu revisi: Buku I (Kabupaten Tapanuli Tengah)")
    assert "31 Mei 2023 pukul 23.59 WIB" in review_mail[0].text() and "Lengkapi analisis SWOT." in review_mail[0].text()
    _part, calendar = calendar_of(review_mail[0])
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == ["mentoring:milestone:m-2@cerdas.example"]


def test_officials_are_cached_until_assessment_says_they_changed(service, smtp_server, officials, clock):
    deliver_event(service, deadline_set(datetime(2023, 2, 21, 16, 59, tzinfo=UTC), NOW, audience=("kominfo_head",)))
    with moved_to(clock, datetime(2023, 2, 20, 3, 30, tzinfo=UTC)):
        sweep(service)
    assert officials.calls == 1
    officials.officials = [
        {**o, "email": "kominfo.baru@tapteng.example"} if o["role"] == "kominfo_head" else o
        for o in officials.officials
    ]
    changed = events.OfficialsChangedV1(region_code="12.01", roles=["kominfo_head"])
    deliver_event(service, wire("assessment.officials_changed", changed, NOW, source="assessment"))
    with moved_to(clock, datetime(2023, 2, 21, 1, 0, tzinfo=UTC)):
        sweep(service)
    assert officials.calls == 2
    assert smtp_server.messages[-1].rcpt_tos == ("kominfo.baru@tapteng.example",)


def test_deliveries_are_listed_and_filtered_over_http(service, smtp_server, clock):
    smtp_server.reject_recipient(EMAIL["bappeda_head"], "550 5.1.1 Mailbox unavailable")
    deliver_event(service, deadline_set(datetime(2023, 2, 21, 16, 59, tzinfo=UTC), NOW))
    with moved_to(clock, datetime(2023, 2, 20, 3, 30, tzinfo=UTC)):
        sweep(service)
    from services.notifications.app import create_app

    client = create_app(service).test_client()
    headers = auth("operator", now=clock.now())
    everything = client.get("/deliveries?region=12.01", headers=headers).get_json()
    assert everything["total"] == 2
    failed = client.get("/deliveries?status=failed", headers=headers).get_json()["items"]
    assert [(d["recipient"], d["last_error"]) for d in failed] == [
        (EMAIL["bappeda_head"], "550 5.1.1 Mailbox unavailable")
    ]
    mine = client.get(f"/deliveries?recipient={EMAIL['kominfo_head'].upper()}", headers=headers).get_json()
    assert [d["status"] for d in mine["items"]] == ["sent"]
    by_deadline = client.get("/deliveries?deadline=mentoring:milestone:m-1", headers=headers).get_json()
    assert by_deadline["total"] == 2
    bad = client.get("/deliveries?status=lost", headers=headers)
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    # A region reads what was sent to its own officials, and nothing else.
    own = client.get("/deliveries", headers=auth("region", region="12.01", now=clock.now()))
    assert own.status_code == 200 and {d["region_code"] for d in own.get_json()["items"]} == {"12.01"}
    other = client.get("/deliveries?region=12.01", headers=auth("region", region="12.02", now=clock.now()))
    assert other.status_code == 403
    assert client.get("/deliveries").status_code == 401


def test_the_cli_previews_reminders_and_lists_deliveries(service, smtp_server, clock, settings, monkeypatch, capsys):
    import json

    import services.notifications.app as app_module
    from services.cli import main

    deliver_event(service, deadline_set(datetime(2023, 2, 21, 16, 59, tzinfo=UTC), NOW))
    monkeypatch.setattr(app_module, "bootstrap", lambda *a, **k: service)
    assert main(["reminders", "preview", "--region", "12.01", "--as-of", "2023-02-20T03:30:00Z", "--json"]) == 0

    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["kind"], r["action"]) for r in rows][:2] == [("before_1", "send now"), ("on_day", "scheduled")]
    assert rows[0]["recipients"] == [EMAIL["kominfo_head"], EMAIL["bappeda_head"]]
    assert rows[1]["send_at"] == "2023-02-21T01:00:00+00:00"
    assert smtp_server.messages == [], "a preview sends nothing"

    with moved_to(clock, datetime(2023, 2, 20, 3, 30, tzinfo=UTC)):
        sweep(service)
    assert main(["deliveries", "--region", "12.01", "--status", "sent"]) == 0
    out = capsys.readouterr().out
    assert EMAIL["kominfo_head"] in out and EMAIL["bappeda_head"] in out and out.startswith("CREATED_AT")
    with pytest.raises(SystemExit):
        main(["reminders", "preview", "--region", "12.01", "--as-of", "2023-02-20T03:30:00"])
    assert "time zone offset" in capsys.readouterr().err


@pytest.mark.timeout(120)
def test_a_notice_is_delivered_promptly_without_waiting_for_the_beat(service, smtp_server, redis_client):
    from celery.contrib.testing.worker import start_worker

    from shared.celery_app import CeleryPublisher

    selected = events.RegionSelectedV1(
        cohort_year=2023,
        region_code="12.01",
        region_name=REGION_NAME,
        region_kind="kabupaten",
        timezone="Asia/Jakarta",
        rank=4,
        total=88.5,
    )
    with start_worker(
        service.celery,
        pool="threads",
        concurrency=2,
        perform_ping_check=False,
        queues=["notifications"],
        shutdown_timeout=30,
    ):
        CeleryPublisher(service.celery).send(
            "notifications", wire("assessment.region_selected", selected, NOW, source="assessment")
        )
        # No beat runs here: only the prompt delivery can send these.
        smtp_server.wait_for(3, timeout=30)
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == sorted(
        [EMAIL["head_of_region"], EMAIL["regional_secretary"], EMAIL["kominfo_head"]]
    )


def test_a_bimtek_session_is_invited_once_and_reminded_the_day_before(service, smtp_server, clock):
    session = events.SessionScheduledV1(
        programme_id="p-1",
        session_id="s-1",
        region_code="12.01",
        region_name=REGION_NAME,
        timezone="Asia/Jakarta",
        stage_key="bimtek_1",
        title="Bimbingan Teknis I Masterplan Smart City",
        starts_on=date(2023, 3, 13),
        ends_on=date(2023, 3, 14),
        audience=["regional_secretary", "kominfo_head", "bappeda_head"],
        venue="https://zoom.example/j/bimtek1",
        sequence=0,
    )
    deliver_event(service, wire("mentoring.session_scheduled", session, NOW))
    day_before = deadline_set(
        datetime(2023, 3, 13, 2, 0, tzinfo=UTC),  # 09.00 WIB on the first day
        NOW,
        deadline_id=events.session_deadline_id("s-1"),
        title="Bimbingan Teknis I Masterplan Smart City",
        audience=("regional_secretary", "kominfo_head", "bappeda_head"),
        kind="session",
        reminders="day_before",
        version=1,
    )
    deliver_event(service, day_before)
    sweep(service)
    invitations = list(smtp_server.messages)
    assert sorted(m.rcpt_tos[0] for m in invitations) == sorted(
        [EMAIL["regional_secretary"], EMAIL["kominfo_head"], EMAIL["bappeda_head"]]
    )
    part, calendar = calendar_of(invitations[0])
    [entry] = calendar.walk("VEVENT")
    assert part.get_param("method") == "REQUEST"
    assert (entry.decoded("DTSTART"), entry.decoded("DTEND")) == (date(2023, 3, 13), date(2023, 3, 15))
    assert str(entry["UID"]) == "mentoring:session:s-1@cerdas.example" and str(entry["URL"]).endswith("bimtek1")
    assert "https://zoom.example/j/bimtek1" in invitations[0].text()
    for moment in (datetime(2023, 3, 12, 0, 59, tzinfo=UTC), datetime(2023, 3, 12, 1, 0, tzinfo=UTC)):
        with moved_to(clock, moment):
            sweep(service)
    reminders = smtp_server.messages[len(invitations) :]
    assert len(reminders) == 3 and all("(besok)" in m.subject for m in reminders)
    assert all(not list(m.message.iter_attachments()) for m in reminders), "the invitation holds the calendar"
    for day in (13, 14, 15):
        with moved_to(clock, datetime(2023, 3, day, 1, 0, tzinfo=UTC)):
            sweep(service)
    assert len(smtp_server.messages) == 6
