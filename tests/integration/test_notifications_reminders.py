"""Deadline reminders end to end inside the service: real PostgreSQL, Redis, Celery and SMTP on loopback."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from sqlalchemy import select

from services.notifications.mail import SmtpTransport
from services.notifications.orm import Deadline, Delivery, Reminder
from shared.celery_app import DELIVERY_TASK, REMINDER_SCAN_TASK
from shared.clock import end_of_local_day
from shared.events import DeadlineClearedV1
from shared.routing import event_task_name
from tests.support.notifications import (
    EMAIL,
    FakeOfficials,
    deadline_set,
    deliver_event,
    moved_to,
    queued_events,
    sweep,
    wire,
)

# 28 Feb 2023, 03:00 in Jakarta (WIB, UTC+7): before the day's 08:00 sending hour.
ANNOUNCED = datetime(2023, 2, 27, 20, 0, tzinfo=UTC)
DUE = end_of_local_day(date(2023, 3, 3), "Asia/Jakarta")  # three days ahead


def wib(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2023, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


@pytest.fixture
def officials():
    return FakeOfficials()


@pytest.fixture
def service(make_runtime, smtp_server, officials, clock):
    clock.set(ANNOUNCED)
    return make_runtime("notifications", officials_source=officials, transport=SmtpTransport(smtp_server.url, 5))


def received(smtp_server, since: int = 0):
    return [(m.rcpt_tos[0], m.subject) for m in smtp_server.messages[since:]]


def deliveries(runtime, **where):
    with runtime.session_factory() as session:
        query = select(Delivery).order_by(Delivery.created_at, Delivery.recipient)
        for column, value in where.items():
            query = query.where(getattr(Delivery, column) == value)
        return list(session.scalars(query))


def test_a_deadline_three_days_ahead_is_reminded_at_the_local_hour_as_time_moves(service, smtp_server, clock):
    assert deliver_event(service, deadline_set(DUE, ANNOUNCED)) == "processed"
    schedule = [
        # (moment, who gets an email then, the phrase its subject carries)
        (wib(28, 7, 59, month=2), set(), None),
        (wib(28, 8, 0, month=2), {EMAIL["kominfo_head"], EMAIL["bappeda_head"]}, "3 hari lagi"),
        (wib(1, 8), set(), None),
        (wib(2, 7, 59), set(), None),
        (wib(2, 8), {EMAIL["kominfo_head"], EMAIL["bappeda_head"]}, "1 hari lagi"),
        (wib(3, 8), {EMAIL["kominfo_head"], EMAIL["bappeda_head"]}, "batas waktu hari ini"),
        (wib(3, 23), set(), None),
    ]
    for moment, expected, phrase in schedule:
        before = len(smtp_server.messages)
        with moved_to(clock, moment):
            sweep(service)
        got = received(smtp_server, before)
        assert {to for to, _ in got} == expected, moment
        assert len(got) == len(expected), "one email per recipient"
        for _to, subject in got:
            assert phrase in subject and "SK Dewan Smart City" in subject
    # The before_7 reminder had passed when the deadline was announced: it was never sent.
    with service.session_factory() as session:
        kinds = dict(session.execute(select(Reminder.kind, Reminder.status)).all())
    assert "before_7" not in kinds
    assert [d.kind for d in deliveries(service)].count("reminder_before_3") == 2
    for message in smtp_server.messages:
        assert len(message.rcpt_tos) == 1 and "," not in message["To"], "never a shared To"


def test_escalation_reaches_the_regional_secretary_then_the_head_of_region(service, smtp_server, clock):
    deliver_event(service, deadline_set(DUE, ANNOUNCED, audience=("kominfo_head",)))
    with moved_to(clock, wib(3, 8)):
        sweep(service)
    assert {to for to, _ in received(smtp_server)} == {EMAIL["kominfo_head"]}

    with moved_to(clock, wib(4, 8)):  # overdue by one day
        before = len(smtp_server.messages)
        sweep(service)
    first = received(smtp_server, before)
    assert {to for to, _ in first} == {EMAIL["kominfo_head"], EMAIL["regional_secretary"]}
    assert all(subject.startswith("[Cerdas] Terlambat") for _, subject in first)
    sekda = smtp_server.messages_to(EMAIL["regional_secretary"])[0]
    assert "Yth. Plh. Sekretaris Daerah Kabupaten Tapanuli Tengah, Sugiharto Hutabarat, S.H.," in sekda.text()

    with moved_to(clock, wib(5, 8)):  # the next overdue step
        before = len(smtp_server.messages)
        sweep(service)
    second = received(smtp_server, before)
    assert {to for to, _ in second} == {EMAIL["kominfo_head"], EMAIL["regional_secretary"], EMAIL["head_of_region"]}
    bupati = smtp_server.messages_to(EMAIL["head_of_region"])[0]
    assert "Yth. Pj. Bupati Tapanuli Tengah, Elfin Ilyas Nainggolan, S.STP., M.Si.," in bupati.text()

    with moved_to(clock, wib(9, 8)):  # the policy stops after two overdue reminders
        before = len(smtp_server.messages)
        sweep(service)
    assert received(smtp_server, before) == []


def test_a_moved_deadline_follows_the_new_schedule_only(service, smtp_server, clock):
    deliver_event(service, deadline_set(DUE, ANNOUNCED))
    with moved_to(clock, wib(28, 8, month=2)):
        sweep(service)
    assert len(smtp_server.messages) == 2  # before_3 went out

    new_due = end_of_local_day(date(2023, 3, 10), "Asia/Jakarta")
    moved_at = wib(28, 9, month=2)
    with moved_to(clock, moved_at):
        deliver_event(service, deadline_set(new_due, moved_at))
        sweep(service)
    assert len(smtp_server.messages) == 2, "nothing is due yet under the new date"

    # The old date's before_1, on-day and overdue reminders never come; the new date's before_7 and
    # before_3 do (before_7 falls on the old due date).
    expected = {2: None, 3: "7 hari lagi", 4: None, 5: None, 6: None, 7: "3 hari lagi"}
    for day, phrase in expected.items():
        before = len(smtp_server.messages)
        with moved_to(clock, wib(day, 8)):
            sweep(service)
        got = received(smtp_server, before)
        assert [f"({phrase})" in subject for _, subject in got] == ([True, True] if phrase else []), day
    assert "10 Maret 2023" in smtp_server.messages[-1].text()

    with moved_to(clock, wib(8, 8)):
        deliver_event(
            service,
            wire(
                "deadline.cleared",
                DeadlineClearedV1(deadline_id="mentoring:milestone:m-1", region_code="12.01", reason="met"),
                wib(8, 8),
            ),
        )
    with moved_to(clock, wib(9, 8)):
        sweep(service)
    assert len(smtp_server.messages) == 6, "a cleared deadline is not reminded"


def test_downtime_ends_with_one_catch_up_reminder_not_a_burst(service, smtp_server, clock):
    deliver_event(service, deadline_set(DUE, ANNOUNCED))
    with moved_to(clock, wib(3, 10)):  # the sweep was down through before_3, before_1 and the day's 08:00
        sweep(service)
    got = received(smtp_server)
    assert len(got) == 2 and all("batas waktu hari ini" in subject for _, subject in got)
    with service.session_factory() as session:
        statuses = Counter(session.scalars(select(Reminder.status)))
    assert statuses == {"superseded": 2, "dispatched": 1, "pending": 2}


@pytest.mark.timeout(120)
def test_repeated_deadline_events_and_concurrent_sweeps_send_one_email_per_recipient(
    service, smtp_server, clock, redis_client
):
    envelope = deadline_set(DUE, ANNOUNCED)
    republished = {**deadline_set(DUE, ANNOUNCED), "correlation_id": envelope["correlation_id"]}
    with start_worker(
        service.celery,
        pool="threads",
        concurrency=4,
        perform_ping_check=False,
        queues=["notifications"],
        shutdown_timeout=30,
    ):
        for message in (envelope, envelope, envelope, republished):
            service.celery.send_task(event_task_name("notifications"), args=[message], queue="notifications")
        assert _wait(lambda: _reminder_count(service) == 5 and redis_client.llen("notifications") == 0)
        clock.set(wib(28, 8, month=2))
        for _ in range(2):
            service.celery.send_task(REMINDER_SCAN_TASK, queue="notifications")
            service.celery.send_task(REMINDER_SCAN_TASK, queue="notifications")
            service.celery.send_task(DELIVERY_TASK, queue="notifications")
            service.celery.send_task(DELIVERY_TASK, queue="notifications")
        assert _wait(lambda: len(smtp_server.messages) >= 2 and redis_client.llen("notifications") == 0)
        time.sleep(1.0)  # let any straggler finish
    # And two sweeps run side by side in this process too.
    threads = [threading.Thread(target=sweep, args=(service,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pairs = Counter((m["Message-ID"], m.rcpt_tos[0]) for m in smtp_server.messages)
    assert sorted(to for _, to in pairs) == sorted([EMAIL["kominfo_head"], EMAIL["bappeda_head"]])
    assert set(pairs.values()) == {1}
    assert [d.status for d in deliveries(service)] == ["sent", "sent"]
    sent_events = [e for e in queued_events(redis_client) if e["type"] == "notification.sent"]
    assert len(sent_events) <= 2


def _reminder_count(runtime):
    with runtime.session_factory() as session:
        return len(session.scalars(select(Reminder.id).where(Reminder.status == "pending")).all())


def _wait(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_temporary_smtp_failure_is_retried_and_delivered_once(service, smtp_server, clock):
    smtp_server.script(["451 4.3.0 Mailbox busy, try later", "250 2.0.0 OK"])
    deliver_event(service, deadline_set(DUE, ANNOUNCED, audience=("kominfo_head",)))
    with moved_to(clock, wib(28, 8, month=2)):
        sweep(service)
    [delivery] = deliveries(service)
    assert (delivery.status, delivery.attempts) == ("retrying", 1)
    assert delivery.last_error.startswith("451")
    assert smtp_server.messages == []
    with moved_to(clock, wib(28, 8, month=2) + timedelta(seconds=30)):
        sweep(service)  # the backoff has not run out: no second attempt yet
    assert len(smtp_server.exchanges("DATA")) == 1
    with moved_to(clock, wib(28, 8, month=2) + timedelta(seconds=61)):
        sweep(service)
        sweep(service)
    [delivery] = deliveries(service)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, None)
    assert [m.rcpt_tos[0] for m in smtp_server.messages] == [EMAIL["kominfo_head"]]


def test_a_permanent_smtp_failure_is_recorded_with_the_reason_and_not_retried(
    service, smtp_server, clock, redis_client
):
    smtp_server.script([], then="550 5.1.1 No such user here")
    deliver_event(service, deadline_set(DUE, ANNOUNCED, audience=("kominfo_head",)))
    with moved_to(clock, wib(28, 8, month=2)):
        sweep(service)
    for hours in (1, 5, 24):
        with moved_to(clock, wib(28, 8, month=2) + timedelta(hours=hours)):
            sweep(service)
    [delivery] = deliveries(service)
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.last_error == "550 5.1.1 No such user here"
    assert len(smtp_server.exchanges("DATA")) == 1
    [failed] = [e for e in queued_events(redis_client) if e["type"] == "notification.failed"]
    assert failed["data"]["reason"] == "550 5.1.1 No such user here"
    assert failed["data"]["recipient"] == EMAIL["kominfo_head"]


def test_the_reminder_email_carries_a_calendar_and_a_stable_message_id(service, smtp_server, clock):
    import icalendar

    deliver_event(service, deadline_set(DUE, ANNOUNCED, audience=("kominfo_head",)))
    with moved_to(clock, wib(28, 8, month=2)):
        sweep(service)
    [message] = smtp_server.messages
    [delivery] = deliveries(service)
    assert message["Message-ID"] == delivery.message_id
    assert message["X-Correlation-ID"] == "corr-notifications"
    [attachment] = [p for p in message.message.iter_attachments() if p.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(attachment.get_payload(decode=True))
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == "mentoring:milestone:m-1@cerdas.example"
    # The due date as an all-day entry on its local day, shown free: a due date is no appointment.
    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (date(2023, 3, 3), date(2023, 3, 4))
    assert str(event["TRANSP"]) == "TRANSPARENT"
    assert calendar.walk("VTIMEZONE") == []


def test_a_clearing_that_overtakes_its_deadline_keeps_the_deadline_cleared(service, smtp_server, clock):
    # The deadline.set was held up (a sweep republished it late); its deadline.cleared arrived first.
    cleared_at = wib(28, 6, month=2)
    with moved_to(clock, cleared_at):
        deliver_event(
            service,
            wire(
                "deadline.cleared",
                DeadlineClearedV1(deadline_id="mentoring:milestone:m-1", region_code="12.01", reason="met"),
                cleared_at,
            ),
        )
        assert deliver_event(service, deadline_set(DUE, ANNOUNCED)) == "processed"
    for day, month in ((28, 2), (2, 3), (3, 3), (4, 3)):
        with moved_to(clock, wib(day, 8, month=month)):
            sweep(service)
    assert received(smtp_server) == [], "a met deadline is never reminded"
    assert _reminder_count(service) == 0


def test_a_scan_that_reaches_its_limit_still_sends_one_catch_up_reminder_per_deadline(service, smtp_server, clock):
    from services.notifications.sending import deliver_due, scan_reminders

    deliver_event(service, deadline_set(DUE, ANNOUNCED, audience=("kominfo_head",)))
    notifier = service.notifier
    with moved_to(clock, wib(3, 10)):  # before_3, before_1 and the day's reminder are all due
        for _ in range(3):  # scans that take only two reminder rows at a time
            scan_reminders(service.uow, notifier, limit=2)
        deliver_due(service.uow, notifier)
    got = received(smtp_server)
    assert len(got) == 1 and "batas waktu hari ini" in got[0][1], got


def test_a_clearing_counted_after_its_deadline_applies_though_its_hosts_clock_runs_behind(service, smtp_server, clock):
    # The programme started on one host; the deliverable was accepted a minute later on another whose clock
    # is an hour behind. Only the publisher's count orders the two.
    deliver_event(service, deadline_set(DUE, ANNOUNCED + timedelta(hours=1), version=1))
    cleared = DeadlineClearedV1(deadline_id="mentoring:milestone:m-1", region_code="12.01", reason="met", version=2)
    assert deliver_event(service, wire("deadline.cleared", cleared, ANNOUNCED)) == "processed"
    for day, month in ((28, 2), (2, 3), (3, 3), (4, 3)):
        with moved_to(clock, wib(day, 8, month=month)):
            sweep(service)
    assert received(smtp_server) == [], "accepted work is never reminded"
    late = deadline_set(DUE + timedelta(days=7), ANNOUNCED + timedelta(hours=2), version=1)
    assert deliver_event(service, late) == "processed"  # applied once, and ignored as stale
    with service.session_factory() as session:
        assert session.execute(select(Deadline.status, Deadline.version)).one() == ("cleared", 2)


def test_a_delivery_run_in_overlapping_batches_sends_each_email_once_and_records_every_answer(
    service, smtp_server, clock
):
    from services.notifications.sending import deliver_due, scan_reminders

    for number in range(5):
        deadline = deadline_set(DUE, ANNOUNCED, deadline_id=f"mentoring:milestone:m-{number}")
        assert deliver_event(service, deadline) == "processed"
    smtp_server.reject_recipient(EMAIL["bappeda_head"], "450 4.2.1 mailbox busy")
    smtp_server.script(["554 5.6.0 message refused"], stage="DATA")
    with moved_to(clock, wib(28, 8, month=2)):
        assert scan_reminders(service.uow, service.notifier) == 10
        # One email a batch: the run claims, sends and records in ten overlapping steps.
        counts = deliver_due(service.uow, service.notifier, batch=1, senders=3)
    assert counts == {"sent": 4, "retry": 5, "failed": 1}
    pairs = Counter((m["Message-ID"], m.rcpt_tos[0]) for m in smtp_server.messages)
    assert len(pairs) == 4 and set(pairs.values()) == {1}
    states = Counter((d.recipient, d.status, d.attempts) for d in deliveries(service))
    assert states == {
        (EMAIL["kominfo_head"], "sent", 1): 4,
        (EMAIL["kominfo_head"], "failed", 1): 1,
        (EMAIL["bappeda_head"], "retrying", 1): 5,
    }
    for message in smtp_server.messages:
        [calendar] = [p for p in message.message.iter_attachments() if p.get_content_type() == "text/calendar"]
        assert b"DTSTART;VALUE=DATE:20230303" in calendar.get_payload(decode=True)
