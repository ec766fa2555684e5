"""The quick-win register through its commands, on an in-memory database: a quick win per smart city
dimension, moved along its lifecycle, with a deadline while it has a due date and is not done or dropped."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.mentoring import domain, handlers, views
from services.mentoring.commands import AddQuickWin, AssignMentor, UpdateQuickWin
from services.mentoring.orm import metadata
from services.mentoring.tasks import start_programme_command
from shared.auth import Principal
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.events import parse_envelope
from tests.support.memory import MemoryService
from tests.support.mentoring import mou_signed, wire

OPERATOR = Principal(sub="op-ani", role="operator")
MENTOR = Principal(sub="mentor-rina", role="mentor")
REGION = Principal(sub="kominfo-tapteng", role="region", region="12.01")
EVIDENCE = ("https://tapanulitengahkab.example/quick-win/mpp-digital",)


@pytest.fixture
def service() -> MemoryService:
    return MemoryService(metadata, "mentoring")


@pytest.fixture
def programme_id(service: MemoryService) -> str:
    command = start_programme_command(*parse_envelope(wire(mou_signed())))  # type: ignore[arg-type]
    programme = service.run(handlers.start_programme, command)
    service.run(handlers.assign_mentor, AssignMentor(programme.id, MENTOR.sub, "Rina", OPERATOR))
    return programme.id


def add(service: MemoryService, programme_id: str, **kwargs: object):  # noqa: ANN201
    fields = {"dimension": "governance", "what": "Mal Pelayanan Publik digital", "owner": "DPMPTSP"} | kwargs
    return service.run(handlers.add_quick_win, AddQuickWin(programme_id, REGION, **fields))  # type: ignore[arg-type]


def quick_win_deadlines(service: MemoryService, event_type: str) -> list[dict]:
    return [d for _, d in service.events(event_type) if d["deadline_id"].startswith("mentoring:quick_win:")]


def test_a_quick_win_with_a_due_date_is_reminded_by_the_standard_policy_until_it_is_done(service, programme_id):
    quick_win = add(service, programme_id, due_date=date(2023, 9, 30))
    assert (quick_win.status, quick_win.dimension, quick_win.evidence) == ("planned", "governance", [])
    [announced] = quick_win_deadlines(service, "deadline.set")
    assert announced["deadline_id"] == domain.quick_win_deadline_id(quick_win.id)
    assert announced["reminders"] == "standard" and announced["kind"] == "mentoring_quick_win"
    assert announced["title"] == "Quick win Smart Governance: Mal Pelayanan Publik digital"
    assert datetime.fromisoformat(announced["due_at"]) == datetime(2023, 9, 30, 16, 59, 59, 999999, tzinfo=UTC)

    started = service.run(handlers.update_quick_win, UpdateQuickWin(quick_win.id, REGION, status="in_progress"))
    assert started.status == "in_progress"
    assert len(quick_win_deadlines(service, "deadline.set")) == 1  # nothing about the date changed
    moved = service.run(handlers.update_quick_win, UpdateQuickWin(quick_win.id, MENTOR, due_date=date(2023, 10, 31)))
    assert moved.due_date == date(2023, 10, 31)
    assert [d["version"] for d in quick_win_deadlines(service, "deadline.set")] == [1, 2]
    with pytest.raises(Invalid, match="evidence"):
        service.run(handlers.update_quick_win, UpdateQuickWin(quick_win.id, REGION, status="done"))
    done = service.run(
        handlers.update_quick_win, UpdateQuickWin(quick_win.id, REGION, evidence=EVIDENCE, status="done")
    )
    assert (done.status, done.evidence) == ("done", list(EVIDENCE))
    assert [(d["reason"], d["version"]) for d in quick_win_deadlines(service, "deadline.cleared")] == [("met", 3)]
    with pytest.raises(Conflict, match="no longer changed"):
        service.run(handlers.update_quick_win, UpdateQuickWin(quick_win.id, REGION, what="Lain"))


def test_a_quick_win_is_dropped_by_the_mentor_not_the_region_and_its_deadline_is_cancelled(service, programme_id):
    quick_win = add(
        service, programme_id, dimension="environment", what="Bank sampah digital", due_date=date(2023, 9, 1)
    )
    with pytest.raises(Forbidden, match="mentor"):
        service.run(handlers.update_quick_win, UpdateQuickWin(quick_win.id, REGION, status="dropped"))
    dropped = service.run(handlers.update_quick_win, UpdateQuickWin(quick_win.id, MENTOR, status="dropped"))
    assert dropped.status == "dropped"
    assert [d["reason"] for d in quick_win_deadlines(service, "deadline.cleared")] == ["cancelled"]
    # Without a due date there is no deadline to set or to clear.
    undated = add(service, programme_id, dimension="branding", what="Festival Pesisir")
    service.run(handlers.update_quick_win, UpdateQuickWin(undated.id, OPERATOR, status="dropped"))
    assert len(quick_win_deadlines(service, "deadline.cleared")) == 1


def test_the_register_counts_each_dimension_and_refuses_what_does_not_belong(service, programme_id):
    add(service, programme_id, dimension="economy", what="Pasar daring UMKM", due_date=date(2023, 8, 1))
    add(service, programme_id, dimension="governance", what="Satu Data Tapteng")
    with pytest.raises(Invalid, match="dimension"):
        add(service, programme_id, dimension="quick_win")
    with pytest.raises(Invalid, match="in the past"):
        add(service, programme_id, due_date=date(2023, 2, 1))
    with pytest.raises(Forbidden):
        other = Principal(sub="kominfo-jayapura", role="region", region="94.71")
        service.run(handlers.add_quick_win, AddQuickWin(programme_id, other, "living", "x", "y"))
    with pytest.raises(Forbidden):
        stranger = Principal(sub="mentor-budi", role="mentor")
        service.run(handlers.add_quick_win, AddQuickWin(programme_id, stranger, "living", "x", "y"))
    with pytest.raises(NotFound):
        service.run(handlers.update_quick_win, UpdateQuickWin("nope", REGION, status="in_progress"))
    with service.uow() as uow:
        register = views.quick_win_register(uow, programme_id, REGION)
        assert [q["dimension"] for q in register["items"]] == ["governance", "economy"]
        assert list(register["dimensions"]) == list(domain.DIMENSIONS)
        assert register["dimensions"]["economy"] == {
            "title": "Smart Economy",
            "planned": 1,
            "in_progress": 0,
            "done": 0,
            "dropped": 0,
        }
        only = views.quick_win_register(uow, programme_id, MENTOR, "economy")
        assert [q["what"] for q in only["items"]] == ["Pasar daring UMKM"] and list(only["dimensions"]) == ["economy"]
