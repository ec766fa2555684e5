"""The 2022 round as it really ran: 8 provinces and 88 kabupaten/kota apply, 2 and 50 are selected."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from services.assessment.app import create_app
from services.assessment.register import bundled_regions_csv
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
from tests.support.celery_messages import queued_envelopes

OUTCOMES = ("assessment.region_selected", "assessment.region_not_selected", "assessment.cohort_finalized")


def applicants() -> tuple[list[str], list[str]]:
    """The first 8 provinces and 88 kabupaten/kota of the register, in its order."""
    with bundled_regions_csv().open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    provinces = [r["code"] for r in rows if r["kind"] == "provinsi"][:8]
    kabkota = [r["code"] for r in rows if r["kind"] != "provinsi"][:88]
    return provinces, kabkota


def sheet(rubric: list[dict], index: int, offset: float) -> dict[str, float]:
    # Spread totals widely but repeat some (index % 29), so ties must be broken too.
    base = 30 + (index * 37) % 29 * 2
    return {c["key"]: min(100.0, base + offset + position) for position, c in enumerate(rubric)}


@pytest.mark.timeout(300)
def test_the_seed_round_selects_two_provinces_and_fifty_kabkota_and_publishes_once(make_runtime, redis_client, clock):
    runtime = make_runtime("assessment")
    client = create_app(runtime).test_client()
    clock.set(DURING_WINDOW)
    import_register(runtime)
    cohort = open_cohort(client, 2023, provinsi=2, kabkota=50)
    provinces, kabkota = applicants()
    assert len(provinces) == 8 and len(kabkota) == 88

    for index, code in enumerate(provinces + kabkota):
        application = apply(client, code)
        # Two assessors per application; the mean of their sheets is what counts.
        score(client, application["id"], sheet(cohort["rubric"], index, 0), assessor="asesor-a")
        score(client, application["id"], sheet(cohort["rubric"], index, 4), assessor="asesor-b")

    clock.set(AFTER_WINDOW)
    selection = client.post("/cohorts/2023/selection", headers=auth("operator"), json={})
    assert selection.status_code == 200, selection.get_json()
    result = selection.get_json()
    assert result["status"] == "finalized"
    assert sum(e["selected"] for e in result["groups"]["provinsi"]) == 2
    assert sum(e["selected"] for e in result["groups"]["kabkota"]) == 50
    assert len(result["groups"]["provinsi"]) == 8 and len(result["groups"]["kabkota"]) == 88
    assert "lower Kemendagri region code" in result["tie_break"]

    def published() -> Counter:
        return Counter(e["type"] for e in queued_envelopes(redis_client, "notifications") if e["type"] in OUTCOMES)

    first = published()
    assert first == {
        "assessment.region_selected": 52,
        "assessment.region_not_selected": 44,
        "assessment.cohort_finalized": 1,
    }
    assert sum(first.values()) == 97  # one per applicant, plus one for the cohort
    selected_on_mou = [e for e in queued_envelopes(redis_client, "mou") if e["type"] == "assessment.region_selected"]
    assert len(selected_on_mou) == 52
    subjects = Counter(e["subject"] for e in queued_envelopes(redis_client, "notifications") if e["type"] in OUTCOMES)
    assert set(subjects) == set(provinces + kabkota) | {"2023"} and max(subjects.values()) == 1

    again = client.post("/cohorts/2023/selection", headers=auth("operator"), json={})
    assert again.status_code == 200
    assert again.get_json()["groups"] == result["groups"]
    assert published() == first
    assert len(outbox_events(runtime, *OUTCOMES)) == 97
    assert runtime.relay.pending() == 0

    [finalized] = outbox_events(runtime, "assessment.cohort_finalized")
    assert len(finalized["data"]["selected"]) == 52 and len(finalized["data"]["not_selected"]) == 44
