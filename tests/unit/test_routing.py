"""One routing table decides which queues get a copy of each event."""

import pytest

from shared import routing
from shared.events import EVENT_TYPES


def test_domain_subscriptions_follow_the_design():
    assert routing.subscribers("assessment.region_selected") == ("mou", "notifications")
    assert routing.subscribers("mou.signed") == ("mentoring", "notifications")


def test_notifications_receives_every_event_exactly_once():
    table = routing.routing_table()
    assert set(table) == set(EVENT_TYPES)
    for queues in table.values():
        assert queues.count("notifications") == 1
        assert len(queues) == len(set(queues))


def test_only_known_queues_are_routed_to():
    for queues in routing.routing_table().values():
        assert set(queues) <= set(routing.SERVICE_QUEUES)


def test_unknown_event_types_have_no_route():
    with pytest.raises(KeyError, match="unknown event type"):
        routing.subscribers("assessment.invented")


def test_task_names_are_stable_and_dotted():
    assert routing.event_task_name("mou") == "cerdas.mou.handle_event"
    assert routing.sweep_task_name("mentoring") == "cerdas.mentoring.sweep_outbox"
