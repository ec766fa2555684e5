"""Deadline versions are counted when a transaction commits: one per change, in commit order, never twice,
however many transactions change the same deadlines at once and in whatever order they name them."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import pytest

from shared import deadlines
from tests.faults.conftest import at_once

pytestmark = pytest.mark.timeout(180)

DUE = datetime(2023, 3, 30, 16, 59, tzinfo=UTC)
WRITERS = 6
ROUNDS = 5


def spec(deadline_id: str) -> deadlines.DeadlineSpec:
    return deadlines.DeadlineSpec(
        deadline_id,
        "12.01",
        "Kabupaten Tapanuli Tengah",
        "Asia/Jakarta",
        "milestone",
        "Tonggak",
        DUE,
        ("kominfo_head",),
    )


def test_concurrent_changes_of_the_same_deadlines_take_each_version_once(service_on_backend):
    mou = service_on_backend("mou")

    def writer(names: list[str]) -> list[list[tuple[str, int]]]:
        committed = []
        for _ in range(ROUNDS):
            with mou.uow() as uow:
                for name in names:
                    deadlines.set_deadline(uow, spec(name))
                deadlines.clear_deadline(uow, names[0], "12.01", "met")
                envelopes = uow.commit()
            committed.append([(e.data["deadline_id"], e.data["version"]) for e in envelopes])
        return committed

    # Half the writers name the deadlines in the other order: counting in id order keeps them from deadlocking.
    results = at_once(*[lambda i=i: writer(["a", "b"] if i % 2 else ["b", "a"]) for i in range(WRITERS)])
    assert not [r for r in results if isinstance(r, BaseException)], results
    seen = defaultdict(list)
    for transactions in results:
        for events in transactions:
            per_deadline = defaultdict(list)
            for deadline_id, version in events:
                per_deadline[deadline_id].append(version)
            for deadline_id, versions in per_deadline.items():
                # One transaction's changes of a deadline take consecutive versions, in the order recorded.
                assert versions == list(range(versions[0], versions[0] + len(versions)))
                seen[deadline_id].extend(versions)
    changes = WRITERS * ROUNDS
    assert sorted(seen["a"]) == list(range(1, 1 + changes + changes // 2))
    assert sorted(seen["b"]) == list(range(1, 1 + changes + changes // 2))


def test_the_transaction_that_commits_first_carries_the_lower_version(service_on_backend):
    mou = service_on_backend("mou")
    with mou.uow() as first, mou.uow() as second:
        first_event = deadlines.set_deadline(first, spec("a"))
        second_event = deadlines.set_deadline(second, spec("a"))
        second.commit()
        first.commit()
    assert (second_event.data["version"], first_event.data["version"]) == (1, 2)


def test_a_transaction_rolled_back_counts_nothing(service_on_backend):
    mou = service_on_backend("mou")
    with mou.uow() as uow:
        deadlines.set_deadline(uow, spec("a"))
    with mou.uow() as uow:
        envelope = deadlines.set_deadline(uow, spec("a"))
        uow.commit()
    assert envelope.data["version"] == 1
