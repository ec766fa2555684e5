"""A batch of deadline events applied set-wise leaves PostgreSQL exactly as the same events applied one by one:
the same deadlines, the same reminder plans (generations, kinds, due times, statuses) and the same inbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.exc import DataError

from services.notifications.consumers import subscriptions
from services.notifications.orm import Deadline, Reminder
from shared import events
from shared.messaging.inbox import consume, consume_batch
from tests.support import infra
from tests.support.notifications import FakeOfficials, deadline_set, wire

ANNOUNCED = datetime(2023, 2, 27, 20, 0, tzinfo=UTC)
IDS = ("mentoring:milestone:a", "mentoring:milestone:b", "mou:signing:c")
# Due dates near and far from the announcement, so plans differ in length and some reminders are late.
DUES = (ANNOUNCED + timedelta(days=1), ANNOUNCED + timedelta(days=3), ANNOUNCED + timedelta(days=30))


@pytest.fixture
def runtime(make_runtime):
    return make_runtime("notifications", officials_source=FakeOfficials())


def cleared(deadline_id: str, at: datetime, version: int | None) -> dict:
    data = events.DeadlineClearedV1(deadline_id=deadline_id, region_code="12.01", reason="met", version=version)
    return wire("deadline.cleared", data, at)


@st.composite
def deadline_events(draw: st.DrawFn) -> dict:
    deadline_id = draw(st.sampled_from(IDS))
    at = ANNOUNCED + timedelta(minutes=draw(st.integers(0, 5)))
    version = draw(st.one_of(st.none(), st.integers(1, 4)))
    if draw(st.integers(0, 3)) == 0:
        return cleared(deadline_id, at, version)
    return deadline_set(
        draw(st.sampled_from(DUES)),
        at,
        deadline_id,
        version=version,
        reminders=draw(st.sampled_from(["standard", "standard", "day_before"])),
        title=draw(st.sampled_from(["Tonggak", "Tonggak baru"])),
    )


def state(runtime) -> tuple:
    with runtime.session_factory() as session:
        deadlines = [
            (d.id, d.status, d.due_at, d.title, d.version, d.last_event_at, d.generation, d.reminders, d.kind)
            for d in session.scalars(select(Deadline).order_by(Deadline.id))
        ]
        reminders = sorted(
            (r.deadline_id, r.generation, r.kind, r.step, r.due_at, r.status) for r in session.scalars(select(Reminder))
        )
        inbox = sorted(session.scalars(select(runtime.inbox.c.event_id)))
    return deadlines, reminders, inbox


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    before=st.lists(deadline_events(), max_size=4),
    batch=st.lists(deadline_events(), min_size=1, max_size=12),
    repeats=st.lists(st.integers(0, 11), max_size=3),
)
def test_a_batch_of_deadline_events_has_the_effect_of_applying_them_one_by_one(runtime, before, batch, repeats):
    # An event delivered twice inside one batch, or already applied before it, is absorbed by the inbox.
    batch = batch + [batch[i] for i in repeats if i < len(batch)] + before[:1]
    handlers = subscriptions(runtime)
    outcomes = {}
    for apply in ("one by one", "as a batch"):
        infra.empty_tables(runtime.engine, runtime.metadata)
        for envelope in before:
            consume(runtime.uow, handlers, envelope)
        if apply == "one by one":
            outcomes[apply] = ([consume(runtime.uow, handlers, envelope) for envelope in batch], state(runtime))
        else:
            applied = consume_batch(runtime.uow, handlers, batch)
            outcomes[apply] = ([outcome for _, outcome in applied], state(runtime))
    assert outcomes["as a batch"] == outcomes["one by one"]


def test_a_batch_that_fails_keeps_nothing_and_its_good_events_apply_alone(runtime):
    handlers = subscriptions(runtime)
    good = [deadline_set(DUES[1], ANNOUNCED, deadline_id, version=1) for deadline_id in IDS[:2]]
    # The catalogue does not bound a title; the deadlines table does, so this one can never be stored.
    poison = deadline_set(DUES[1], ANNOUNCED, IDS[2], version=1, title="T" * 301)
    with pytest.raises(DataError):
        consume_batch(runtime.uow, handlers, [good[0], poison, good[1]])
    assert state(runtime) == ([], [], [])
    assert [consume(runtime.uow, handlers, envelope) for envelope in good] == ["processed", "processed"]
    with pytest.raises(DataError):
        consume(runtime.uow, handlers, poison)
    deadlines, reminders, inbox = state(runtime)
    assert [d[0] for d in deadlines] == list(IDS[:2]) and len(inbox) == 2 and reminders
