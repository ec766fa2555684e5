"""Notification use cases through their commands, on an in-memory database with fake officials and mail."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from services.notifications import domain, handlers, sending, views
from services.notifications.commands import (
    ApplyDeadlineCleared,
    ApplyDeadlineSet,
    ClaimDeliveries,
    ClaimDelivery,
    DispatchDueReminders,
    ForgetOfficials,
    QueueNotice,
    RecordDeliveryOutcome,
)
from services.notifications.consumers import subscriptions
from services.notifications.directory import OfficialsDirectory
from services.notifications.mail import SmtpError
from services.notifications.notifier import Notifier
from services.notifications.orm import Deadline, Delivery, OfficialsCache, Reminder, metadata
from shared import events
from shared.clock import end_of_local_day
from shared.config import NotificationSettings, ReminderPolicy
from shared.errors import Conflict, UpstreamUnavailable
from shared.messaging.inbox import consume
from tests.support.memory import MemoryService
from tests.support.notifications import (
    EMAIL,
    OFFICIALS,
    REGION,
    REGION_NAME,
    FakeOfficials,
    FakeTransport,
    deadline_set,
    wire,
)

# 28 Feb 2023, 03:00 in Jakarta (WIB, UTC+7): before the day's 08:00 sending hour.
ANNOUNCED = datetime(2023, 2, 27, 20, 0, tzinfo=UTC)
DUE = end_of_local_day(date(2023, 3, 3), "Asia/Jakarta")
DEADLINE_ID = events.milestone_deadline_id("m-1")
ESCALATION = ReminderPolicy().escalation


def wib(day: int, hour: int, month: int = 3) -> datetime:
    return datetime(2023, month, day, hour, tzinfo=UTC) - timedelta(hours=7)


@pytest.fixture
def service() -> MemoryService:
    return MemoryService(metadata, "notifications", at=ANNOUNCED)


def set_command(due_at: datetime = DUE, occurred_at: datetime = ANNOUNCED, **changes) -> ApplyDeadlineSet:
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


def cleared_command(occurred_at: datetime) -> ApplyDeadlineCleared:
    return ApplyDeadlineCleared(
        deadline_id=DEADLINE_ID,
        region_code=REGION,
        source="mentoring",
        correlation_id="corr-notifications",
        occurred_at=occurred_at,
    )


def selection_notice(event_id: str = "e-1", officials=OFFICIALS) -> QueueNotice:
    data = events.RegionSelectedV1(
        cohort_year=2023,
        region_code=REGION,
        region_name=REGION_NAME,
        region_kind="kabupaten",
        timezone="Asia/Jakarta",
        rank=4,
        total=88.5,
    )
    return QueueNotice(
        event_type="assessment.region_selected",
        event_id=event_id,
        occurred_at=ANNOUNCED,
        correlation_id="corr-selection",
        region_code=REGION,
        facts=data.model_dump(),
        officials=tuple(officials),
        organizer="noreply@cerdas.example",
    )


def reminders(service: MemoryService) -> Counter:
    with service.sessions() as session:
        return Counter(session.scalars(select(Reminder.status)))


def deliveries(service: MemoryService) -> list[Delivery]:
    with service.sessions() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.created_at, Delivery.recipient)))


def dispatch(service: MemoryService, officials=OFFICIALS) -> int:
    with service.uow() as uow:
        due = views.due_deadlines(uow)
    command = DispatchDueReminders(tuple(due), {REGION: tuple(officials)} if officials else {}, ESCALATION)
    return service.run(handlers.dispatch_due_reminders, command)


def notifier_for(service: MemoryService, transport=None, source=None) -> Notifier:
    settings = NotificationSettings()
    directory = OfficialsDirectory(source or FakeOfficials(), service.sessions, service.clock, 300)
    return Notifier(settings=settings, directory=directory, transport=transport or FakeTransport())


# --- the deadline projection ---------------------------------------------------------------------


def test_a_new_deadline_is_recorded_and_its_reminders_planned(service):
    assert service.run(handlers.apply_deadline_set, set_command()) == 5
    with service.sessions() as session:
        deadline = session.get(Deadline, DEADLINE_ID)
        kinds = list(session.scalars(select(Reminder.kind).order_by(Reminder.due_at)))
    assert (deadline.status, deadline.generation) == ("active", 1)
    # before_7 had passed when the deadline was announced, and before_3 falls later the same day.
    assert kinds == ["before_3", "before_1", "on_day", "overdue_1", "overdue_2"]


def test_the_same_deadline_again_plans_nothing_and_a_moved_one_plans_afresh(service):
    service.run(handlers.apply_deadline_set, set_command())
    assert service.run(handlers.apply_deadline_set, set_command(occurred_at=ANNOUNCED + timedelta(hours=1))) == 0
    assert reminders(service) == {"pending": 5}
    moved = set_command(due_at=DUE + timedelta(days=7), occurred_at=ANNOUNCED + timedelta(hours=2))
    assert service.run(handlers.apply_deadline_set, moved) == 6
    assert reminders(service) == {"cancelled": 5, "pending": 6}
    with service.sessions() as session:
        assert session.get(Deadline, DEADLINE_ID).generation == 2


def test_a_stale_deadline_set_is_ignored(service):
    service.run(handlers.apply_deadline_set, set_command(occurred_at=ANNOUNCED + timedelta(hours=1)))
    stale = set_command(due_at=DUE + timedelta(days=7), occurred_at=ANNOUNCED)
    assert service.run(handlers.apply_deadline_set, stale) == 0
    with service.sessions() as session:
        assert session.get(Deadline, DEADLINE_ID).due_at == DUE


def test_a_cleared_deadline_cancels_its_reminders_and_a_later_set_reopens_it(service):
    service.run(handlers.apply_deadline_set, set_command())
    service.run(handlers.apply_deadline_cleared, cleared_command(ANNOUNCED + timedelta(hours=1)))
    assert reminders(service) == {"cancelled": 5}
    reopened = set_command(occurred_at=ANNOUNCED + timedelta(hours=2))
    assert service.run(handlers.apply_deadline_set, reopened) == 5
    with service.sessions() as session:
        assert session.get(Deadline, DEADLINE_ID).status == "active"


def test_a_clearing_that_overtakes_its_deadline_makes_the_older_set_stale(service):
    service.run(handlers.apply_deadline_cleared, cleared_command(ANNOUNCED + timedelta(hours=1)))
    assert service.run(handlers.apply_deadline_set, set_command()) == 0
    with service.sessions() as session:
        assert session.get(Deadline, DEADLINE_ID).status == "cleared"
    assert reminders(service) == {}


# --- reminders become deliveries -------------------------------------------------------------------


def test_due_reminders_send_the_latest_once_and_supersede_the_earlier_ones(service):
    service.run(handlers.apply_deadline_set, set_command(audience=("kominfo_head",)))
    service.clock.set(wib(3, 10))  # before_3, before_1 and the day's reminder are all due
    assert dispatch(service) == 1
    assert reminders(service) == {"superseded": 2, "dispatched": 1, "pending": 2}
    [delivery] = deliveries(service)
    assert (delivery.recipient, delivery.kind, delivery.status) == (EMAIL["kominfo_head"], "reminder_on_day", "pending")
    assert "batas waktu hari ini" in delivery.subject
    assert dispatch(service) == 0, "nothing more is due today"


def test_overdue_reminders_climb_the_escalation_chain(service):
    service.run(handlers.apply_deadline_set, set_command(audience=("kominfo_head",)))
    service.clock.set(wib(4, 9))
    dispatch(service)
    recipients = {d.recipient for d in deliveries(service)}
    assert recipients == {EMAIL["kominfo_head"], EMAIL["regional_secretary"]}


def test_a_region_whose_officials_are_unknown_keeps_its_reminders_pending(service):
    service.run(handlers.apply_deadline_set, set_command())
    service.clock.set(wib(28, 9, month=2))
    assert dispatch(service, officials=None) == 0
    assert reminders(service) == {"pending": 5}
    assert deliveries(service) == []


# --- stage notices and the officials cache ---------------------------------------------------------


def test_a_selection_notice_reaches_its_audience_one_delivery_each(service):
    assert service.run(handlers.queue_notice, selection_notice()) == 3
    got = deliveries(service)
    assert sorted(d.recipient for d in got) == sorted(
        [EMAIL["head_of_region"], EMAIL["regional_secretary"], EMAIL["kominfo_head"]]
    )
    assert {d.kind for d in got} == {"notice_selected"}
    assert {d.dedupe_key for d in got} == {"assessment.region_selected:e-1"}
    assert {d.status for d in got} == {"pending"} and {d.correlation_id for d in got} == {"corr-selection"}


def test_a_notice_with_nobody_to_reach_queues_nothing(service):
    nobody = [{**o, "email": None} for o in OFFICIALS]
    assert service.run(handlers.queue_notice, selection_notice(officials=nobody)) == 0
    assert deliveries(service) == []


def test_a_rescheduled_signing_invitation_counts_up_and_names_its_organiser(service):
    def scheduled(event_id: str) -> QueueNotice:
        data = events.MouScheduledV1(
            agreement_id="a-1",
            region_code=REGION,
            timezone="Asia/Jakarta",
            scheduled_at=datetime(2023, 2, 28, 3, 0, tzinfo=UTC),
            mode="online",
            deadline_id=events.signing_deadline_id("a-1"),
        )
        return QueueNotice(
            "mou.scheduled", event_id, ANNOUNCED, None, REGION, data.model_dump(), tuple(OFFICIALS), "noreply@x.example"
        )

    service.run(handlers.queue_notice, scheduled("e-1"))
    service.run(handlers.queue_notice, scheduled("e-2"))
    calendars = {d.dedupe_key: d.payload["calendar"] for d in deliveries(service)}
    assert calendars["mou.scheduled:e-1"]["events"][0]["sequence"] == 1
    assert calendars["mou.scheduled:e-2"]["events"][0]["sequence"] == 2
    assert {c["organizer"] for c in calendars.values()} == {"noreply@x.example"}


def test_forgetting_a_regions_officials_drops_its_cache(service):
    source = FakeOfficials()
    directory = OfficialsDirectory(source, service.sessions, service.clock, 300)
    directory.officials(REGION)
    directory.officials(REGION)
    assert source.calls == 1
    service.run(handlers.forget_officials, ForgetOfficials(REGION))
    with service.sessions() as session:
        assert session.get(OfficialsCache, REGION) is None
    directory.officials(REGION)
    assert source.calls == 2


def test_the_consumer_asks_for_officials_before_its_transaction_and_applies_each_event_once(service):
    source = FakeOfficials()
    runtime = SimpleNamespace(notifier=notifier_for(service, source=source))
    selected = events.RegionSelectedV1(
        cohort_year=2023,
        region_code=REGION,
        region_name=REGION_NAME,
        region_kind="kabupaten",
        timezone="Asia/Jakarta",
        rank=4,
        total=88.5,
    )
    envelope = wire("assessment.region_selected", selected, ANNOUNCED, source="assessment")
    assert consume(service.uow, subscriptions(runtime), envelope) == "processed"
    assert consume(service.uow, subscriptions(runtime), envelope) == "duplicate"
    assert consume(service.uow, subscriptions(runtime), deadline_set(DUE, ANNOUNCED)) == "processed"
    assert len(deliveries(service)) == 3 and reminders(service) == {"pending": 5}
    assert source.calls == 1, "the second look came from the cache"


# --- claiming, sending and recording ---------------------------------------------------------------


def queued_delivery(service: MemoryService) -> str:
    notice = selection_notice(officials=[o for o in OFFICIALS if o["role"] == "kominfo_head"])
    service.run(handlers.queue_notice, notice)
    [delivery] = deliveries(service)
    return delivery.id


def test_a_delivery_is_claimed_once_and_its_sending_recorded_with_an_event(service):
    delivery_id = queued_delivery(service)
    claim = service.run(handlers.claim_delivery, ClaimDelivery(delivery_id))
    assert (claim.recipient, claim.attempts, claim.correlation_id) == (EMAIL["kominfo_head"], 1, "corr-selection")
    assert service.run(handlers.claim_delivery, ClaimDelivery(delivery_id)) is None, "a second claim gets nothing"
    sent = RecordDeliveryOutcome(delivery_id, domain.SendOutcome("sent", "250"), retry_seconds=60)
    assert service.run(handlers.record_delivery_outcome, sent) == "sent"
    [(_, data)] = service.events("notification.sent")
    assert (data["delivery_id"], data["recipient"]) == (delivery_id, EMAIL["kominfo_head"])
    assert service.run(handlers.claim_delivery, ClaimDelivery(delivery_id)) is None


def test_a_batch_is_claimed_in_one_go_in_the_order_asked_and_never_twice(service):
    service.run(handlers.queue_notice, selection_notice())
    ids = tuple(reversed([d.id for d in deliveries(service)]))
    assert len(ids) > 2
    [first] = service.run(handlers.claim_deliveries, ClaimDeliveries(ids[:1]))
    claims = service.run(handlers.claim_deliveries, ClaimDeliveries(ids))
    assert [c.id for c in claims] == list(ids[1:]), "the one already claimed is someone else's"
    assert {c.attempts for c in [first, *claims]} == {1} and {c.correlation_id for c in claims} == {"corr-selection"}
    assert service.run(handlers.claim_deliveries, ClaimDeliveries(ids)) == []


def test_a_temporary_failure_waits_out_its_delay_before_the_next_claim(service):
    delivery_id = queued_delivery(service)
    service.run(handlers.claim_delivery, ClaimDelivery(delivery_id))
    retry = RecordDeliveryOutcome(delivery_id, domain.SendOutcome("retry", "451 busy"), retry_seconds=60)
    assert service.run(handlers.record_delivery_outcome, retry) == "retrying"
    assert service.events() == []
    service.clock.advance(timedelta(seconds=30))
    assert service.run(handlers.claim_delivery, ClaimDelivery(delivery_id)) is None
    service.clock.advance(timedelta(seconds=31))
    assert service.run(handlers.claim_delivery, ClaimDelivery(delivery_id)).attempts == 2


def test_a_permanent_failure_keeps_the_reason_and_tells_with_an_event(service):
    delivery_id = queued_delivery(service)
    service.run(handlers.claim_delivery, ClaimDelivery(delivery_id))
    failed = RecordDeliveryOutcome(delivery_id, domain.SendOutcome("failed", "550 no such user"), retry_seconds=60)
    assert service.run(handlers.record_delivery_outcome, failed) == "failed"
    [delivery] = deliveries(service)
    assert delivery.last_error == "550 no such user"
    [(_, data)] = service.events("notification.failed")
    assert data["reason"] == "550 no such user"


def test_an_outcome_for_a_delivery_nobody_claimed_is_refused(service):
    delivery_id = queued_delivery(service)
    sent = RecordDeliveryOutcome(delivery_id, domain.SendOutcome("sent", "250"), retry_seconds=60)
    with pytest.raises(Conflict):
        service.run(handlers.record_delivery_outcome, sent)
    assert [d.status for d in deliveries(service)] == ["pending"]


def test_the_lifecycles_refuse_moves_they_do_not_list():
    assert domain.DELIVERY.sources("sending") == ("pending", "sending", "retrying")
    assert domain.REMINDER.sources("cancelled") == ("pending",)
    for lifecycle, current, target in (
        (domain.DELIVERY, "sending", "pending"),
        (domain.DELIVERY, "sent", "sending"),
        (domain.DELIVERY, "failed", "retrying"),
        (domain.REMINDER, "cancelled", "dispatched"),
        (domain.DELIVERY, None, "sent"),
    ):
        with pytest.raises(Conflict):
            domain.check_transition(lifecycle, current, target)
    assert domain.check_transition(domain.DEADLINE, "cleared", "active") == "active"


# --- the beat's flows, with a fake mail server ------------------------------------------------------


def test_the_beat_sends_each_due_reminder_once(service):
    transport = FakeTransport()
    notifier = notifier_for(service, transport)
    service.run(handlers.apply_deadline_set, set_command())
    service.clock.set(wib(28, 8, month=2))
    assert sending.scan_reminders(service.uow, notifier) == 2
    assert sending.deliver_due(service.uow, notifier) == {"sent": 2, "retry": 0, "failed": 0}
    assert sending.scan_reminders(service.uow, notifier) == 0
    assert sending.deliver_due(service.uow, notifier) == {"sent": 0, "retry": 0, "failed": 0}
    assert sorted(m["To"].addresses[0].addr_spec for m in transport.sent) == sorted(
        [EMAIL["kominfo_head"], EMAIL["bappeda_head"]]
    )
    assert {m["X-Correlation-ID"] for m in transport.sent} == {"corr-notifications"}
    assert len(service.events("notification.sent")) == 2


def test_a_worker_lost_in_the_middle_of_a_send_is_resent_once_its_lease_ends(service):
    transport = FakeTransport(RuntimeError("the worker died"))
    notifier = notifier_for(service, transport)
    service.run(
        handlers.queue_notice, selection_notice(officials=[o for o in OFFICIALS if o["role"] == "kominfo_head"])
    )
    with pytest.raises(RuntimeError):
        sending.deliver_due(service.uow, notifier)
    # Within the lease the row is still someone's: no second send while a slow server may yet answer.
    service.clock.advance(timedelta(minutes=59))
    assert sending.deliver_due(service.uow, notifier) == {"sent": 0, "retry": 0, "failed": 0}
    assert [(d.status, d.attempts) for d in deliveries(service)] == [("sending", 1)]
    service.clock.advance(timedelta(minutes=2))
    assert sending.deliver_due(service.uow, notifier) == {"sent": 1, "retry": 0, "failed": 0}
    assert [(d.status, d.attempts) for d in deliveries(service)] == [("sent", 2)]
    [message] = transport.sent
    assert message["Message-ID"] == deliveries(service)[0].message_id


def test_a_worker_whose_lease_ran_out_records_nothing_over_the_new_claim(service):
    delivery_id = queued_delivery(service)
    first = service.run(handlers.claim_delivery, ClaimDelivery(delivery_id, lease_seconds=60))
    service.clock.advance(timedelta(minutes=2))
    second = service.run(handlers.claim_delivery, ClaimDelivery(delivery_id, lease_seconds=60))
    assert (first.attempts, second.attempts) == (1, 2)
    late = RecordDeliveryOutcome(delivery_id, domain.SendOutcome("failed", "550"), 60, attempt=first.attempts)
    assert service.run(handlers.record_delivery_outcome, late) == "sending"
    done = RecordDeliveryOutcome(delivery_id, domain.SendOutcome("sent", "250"), 60, attempt=second.attempts)
    assert service.run(handlers.record_delivery_outcome, done) == "sent"
    assert len(service.events("notification.failed")) == 0


def test_a_temporary_smtp_failure_is_retried_by_a_later_run(service):
    transport = FakeTransport(SmtpError(451, "4.3.0 try later"))
    notifier = notifier_for(service, transport)
    service.run(
        handlers.queue_notice, selection_notice(officials=[o for o in OFFICIALS if o["role"] == "kominfo_head"])
    )
    assert sending.deliver_due(service.uow, notifier) == {"sent": 0, "retry": 1, "failed": 0}
    service.clock.advance(timedelta(seconds=61))
    assert sending.deliver_due(service.uow, notifier) == {"sent": 1, "retry": 0, "failed": 0}
    assert [(d.status, d.attempts, d.last_error) for d in deliveries(service)] == [("sent", 2, None)]


def test_a_scan_that_cannot_reach_assessment_leaves_reminders_for_the_next_one(service):
    class Down(FakeOfficials):
        def get_json(self, path, params=None):
            self.calls += 1
            raise UpstreamUnavailable("assessment is down")

    source = Down()
    notifier = notifier_for(service, source=source)
    service.run(handlers.apply_deadline_set, set_command())
    service.clock.set(wib(28, 8, month=2))
    assert sending.scan_reminders(service.uow, notifier) == 0
    assert reminders(service) == {"pending": 5} and source.calls == 1
    with service.sessions() as session:
        assert session.scalars(select(OfficialsCache)).all() == []
