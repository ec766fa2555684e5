"""Mentoring under concurrent requests on PostgreSQL: a double-clicked review or hand-in is applied
once, and the other gets a clear 409 instead of a second outcome or a server error."""

from __future__ import annotations

import threading

import pytest

from services.mentoring import domain, handlers, views
from services.mentoring.commands import AssignMentor, ReviewSubmission, SubmitDeliverable
from services.mentoring.orm import Submission
from shared.auth import Principal
from shared.errors import Conflict
from tests.support.mentoring import outbox, start_programme

MENTOR = Principal(sub="mentor-rina", role="mentor")
REGION = Principal(sub="kominfo-tapteng", role="region", region="12.01")


@pytest.fixture
def programme(make_runtime):
    runtime = make_runtime("mentoring")
    programme_id = start_programme(runtime, region_code="12.01")
    with runtime.uow() as uow:
        handlers.assign_mentor(
            uow, AssignMentor(programme_id, MENTOR.sub, "Rina", Principal(sub="op", role="operator"))
        )
        milestone = next(
            m for m in views.programme_view(uow, views.get_programme(uow, programme_id))["stages"][0]["milestones"]
        )
        uow.commit()
    return runtime, milestone["id"]


def side_by_side(monkeypatch, rule: str, *calls):  # noqa: ANN001, ANN002
    """Run ``calls`` in threads that all pass the domain ``rule`` check before any of them commits,
    unless the handler keeps them apart (then the waiting one goes on after a short timeout)."""
    together = threading.Barrier(len(calls), timeout=3)
    real_rule = getattr(domain, rule)

    def rule_after_all_arrive(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        try:
            together.wait()
        except threading.BrokenBarrierError:
            pass
        return real_rule(*args, **kwargs)

    monkeypatch.setattr(domain, rule, rule_after_all_arrive)
    outcomes: list[object] = []

    def run(call) -> None:  # noqa: ANN001
        try:
            outcomes.append(call())
        except BaseException as exc:  # noqa: BLE001
            outcomes.append(exc)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.timeout(60)
def test_two_reviews_of_one_submission_at_once_apply_only_one(programme, monkeypatch):
    runtime, milestone_id = programme
    with runtime.uow() as uow:
        submission_id = handlers.submit_deliverable(
            uow, SubmitDeliverable(milestone_id, REGION, link="https://drive.example/tapteng/sk")
        ).id
        uow.commit()

    def accept():  # noqa: ANN202
        with runtime.uow() as uow:
            handlers.review_submission(uow, ReviewSubmission(submission_id, MENTOR, decision="accept"))
            uow.commit()
        return "accept"

    def revise():  # noqa: ANN202
        with runtime.uow() as uow:
            handlers.review_submission(
                uow,
                ReviewSubmission(
                    submission_id,
                    MENTOR,
                    decision="request_revision",
                    comments="Lengkapi lampiran",
                    due_date=runtime.clock.now().date().replace(month=5, day=15),
                ),
            )
            uow.commit()
        return "revise"

    outcomes = side_by_side(monkeypatch, "check_review", accept, revise)
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1, outcomes
    assert len(outbox(runtime, "mentoring.deliverable_reviewed")) == 1
    with runtime.session_factory() as session:
        assert session.get(Submission, submission_id).status in ("accepted", "revision_requested")


@pytest.mark.timeout(60)
def test_two_hand_ins_for_one_milestone_at_once_keep_one_and_refuse_the_other(programme, monkeypatch):
    runtime, milestone_id = programme

    def hand_in(url: str):  # noqa: ANN202
        def call():  # noqa: ANN202
            with runtime.uow() as uow:
                submission = handlers.submit_deliverable(uow, SubmitDeliverable(milestone_id, REGION, link=url))
                uow.commit()
                return submission.attempt

        return call

    outcomes = side_by_side(
        monkeypatch, "check_submission", hand_in("https://drive.example/a"), hand_in("https://drive.example/b")
    )
    assert sorted(map(type, outcomes), key=str) == sorted([int, Conflict], key=str), outcomes
    assert len(outbox(runtime, "mentoring.deliverable_submitted")) == 1
