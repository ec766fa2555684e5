"""A publisher counts each change of a deadline in the transaction of the change, so consumers can order
deadline.set and deadline.cleared by that count instead of by the clocks of the processes that sent them."""

from __future__ import annotations

from datetime import UTC, datetime

from services.mou.orm import metadata
from shared import deadlines
from tests.support.memory import MemoryService

SPEC = deadlines.DeadlineSpec(
    deadline_id="mou:signing:a-1",
    region_code="12.01",
    region_name="Kabupaten Tapanuli Tengah",
    timezone="Asia/Jakarta",
    kind="mou_signing",
    title="Penandatanganan Nota Kesepakatan",
    due_at=datetime(2023, 3, 30, 16, 59, tzinfo=UTC),
    audience=("kominfo_head",),
)


def test_every_set_and_clear_of_one_deadline_carries_the_next_version():
    service = MemoryService(metadata, "mou")
    service.run(deadlines.set_deadline, SPEC)
    service.run(deadlines.set_deadline, SPEC)
    service.run(lambda uow, _: deadlines.clear_deadline(uow, SPEC.deadline_id, "12.01", "met"), None)
    other = deadlines.DeadlineSpec(**{**SPEC.__dict__, "deadline_id": "mou:signing:a-2"})
    service.run(deadlines.set_deadline, other)
    versions = [(d["deadline_id"], d["version"]) for _, d in service.events() if "deadline_id" in d]
    assert versions == [("mou:signing:a-1", 1), ("mou:signing:a-1", 2), ("mou:signing:a-1", 3), ("mou:signing:a-2", 1)]


def test_a_change_rolled_back_takes_its_version_with_it():
    service = MemoryService(metadata, "mou")
    service.run(deadlines.set_deadline, SPEC)
    with service.uow() as uow:
        deadlines.set_deadline(uow, SPEC)  # never committed
    service.run(deadlines.set_deadline, SPEC)
    assert [d["version"] for _, d in service.events("deadline.set")] == [1, 2]
