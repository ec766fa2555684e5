"""Assessment under concurrent requests on PostgreSQL: scoring and withdrawal never race the cohort's
selection or each other into a wrong total or a contradictory outcome."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from services.assessment import commands, handlers, repository
from services.assessment.app import create_app
from services.assessment.handlers import scoring
from shared.auth import Principal
from shared.errors import Conflict
from tests.conftest import auth
from tests.support.assessment import (
    AFTER_WINDOW,
    DURING_WINDOW,
    apply,
    import_register,
    open_cohort,
    outbox_events,
    score,
)

OPERATOR = Principal(sub="operator-1", role="operator")


@pytest.fixture
def round_(make_runtime, clock):
    runtime = make_runtime("assessment")
    client = create_app(runtime).test_client()
    clock.set(DURING_WINDOW)
    import_register(runtime)
    cohort = open_cohort(client, 2023, provinsi=1, kabkota=1)
    return runtime, client, cohort


def sheet(cohort: dict, value: float) -> dict[str, float]:
    return {c["key"]: value for c in cohort["rubric"]}


@pytest.mark.timeout(60)
def test_two_assessors_scoring_at_once_give_the_mean_of_both_sheets(round_, monkeypatch):
    runtime, _, cohort = round_
    application = apply(round_[1], "12.01")
    # Both assessors have written their sheet before either combines the sheets: without
    # serialisation each sees only its own, and the last to commit decides the total alone.
    both_written = threading.Barrier(2, timeout=3)
    real_score_sheets = scoring.score_sheets

    def score_sheets_after_both(uow, application_id):  # noqa: ANN001, ANN202
        try:
            both_written.wait()
        except threading.BrokenBarrierError:
            pass  # the other assessor waits for this one to finish: the expected, safe order
        return real_score_sheets(uow, application_id)

    monkeypatch.setattr(scoring, "score_sheets", score_sheets_after_both)
    failures: list[BaseException] = []

    def assessor(name: str, value: float) -> None:
        try:
            with runtime.uow() as uow:
                handlers.record_scores(
                    uow,
                    commands.RecordScores(
                        application["id"], sheet(cohort, value), Principal(sub=name, role="assessor")
                    ),
                )
                uow.commit()
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)

    threads = [threading.Thread(target=assessor, args=args) for args in (("asesor-1", 70), ("asesor-2", 90))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with runtime.uow() as uow:
        stored = repository.get_application(uow, application["id"])
        assert stored.status == "scored"
        assert stored.total == pytest.approx(80.0)


def test_a_withdrawal_racing_the_selection_cannot_undo_a_published_outcome(round_, monkeypatch, clock):
    runtime, client, cohort = round_
    application = apply(client, "12.01")
    score(client, application["id"], sheet(cohort, 80))
    clock.set(AFTER_WINDOW)
    real_get_cohort = repository.get_cohort
    selected_meanwhile = []

    def selection_runs_first(uow, year, *, lock=False):  # noqa: ANN001, ANN202
        # The withdrawal has read the application (scored) and now waits for the cohort; the
        # selection that held it finalises the cohort and publishes its outcome first.
        if lock and not selected_meanwhile:
            with runtime.uow() as other:
                handlers.run_selection(other, commands.RunSelection(year))
                other.commit()
            selected_meanwhile.append(year)
        return real_get_cohort(uow, year, lock=lock)

    monkeypatch.setattr(repository, "get_cohort", selection_runs_first)
    with runtime.uow() as uow, pytest.raises(Conflict):
        handlers.withdraw_application(
            uow, commands.WithdrawApplication(application["id"], "mundur setelah seleksi", OPERATOR)
        )
        uow.commit()
    assert selected_meanwhile == [2023]
    with runtime.uow() as uow:
        assert repository.get_application(uow, application["id"]).status == "selected"
    assert [e["subject"] for e in outbox_events(runtime, "assessment.region_selected")] == ["12.01"]
    assert outbox_events(runtime, "assessment.application_withdrawn") == []


def _at_once(*calls):
    """Run the calls in threads released together; return their results in order."""
    start = threading.Barrier(len(calls), timeout=5)
    results = [None] * len(calls)

    def run(index, call):
        start.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.timeout(60)
def test_the_same_region_applying_twice_at_once_gets_one_application_and_a_409(round_):
    runtime, _, _ = round_
    app = create_app(runtime)
    headers = auth("region", region="12.01")

    def apply_once():
        response = app.test_client().post("/cohorts/2023/applications", headers=headers, json={"region_code": "12.01"})
        return response.status_code, response.mimetype

    for _ in range(3):  # the race lands differently each time; every outcome must be 201 + 409
        runtime.engine.dispose()
        with runtime.session_factory() as session:
            session.execute(text("DELETE FROM applications"))
            session.commit()
        outcomes = _at_once(apply_once, apply_once)
        assert sorted(status for status, _ in outcomes) == [201, 409]
        assert all(mimetype.startswith("application/") for _, mimetype in outcomes)


@pytest.mark.timeout(60)
def test_two_line_ups_sent_at_once_leave_one_current_holder_per_role(round_):
    runtime, _, _ = round_
    app = create_app(runtime)

    def line_up(name):
        def put():
            body = {"officials": [{"role": "kominfo_head", "name": name, "email": f"{name.lower()}@tapteng.example"}]}
            return app.test_client().put("/regions/12.01/officials", headers=auth("operator"), json=body).status_code

        return put

    for round_number in range(3):
        outcomes = _at_once(line_up(f"Budi{round_number}"), line_up(f"Sari{round_number}"))
        assert outcomes == [200, 200]
        current = app.test_client().get("/regions/12.01/officials?role=kominfo_head", headers=auth("operator"))
        assert len(current.get_json()["officials"]) == 1
