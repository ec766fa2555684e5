"""Small factories for assessment tests: the bundled register, a cohort, applicants and their scores."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from services.assessment import commands, handlers
from services.assessment.register import bundled_regions_csv, read_regions_csv
from tests.conftest import auth

WINDOW = {
    "applications_open_at": "2022-06-01T00:00:00+07:00",
    "applications_close_at": "2022-07-31T23:59:59+07:00",
    "assessment_due_at": "2022-10-31T23:59:59+07:00",
}
DURING_WINDOW = datetime(2022, 7, 1, 3, 0, tzinfo=UTC)
# The window has closed: selection may run without being forced.
AFTER_WINDOW = datetime(2022, 8, 1, 3, 0, tzinfo=UTC)


def import_register(runtime: Any) -> None:
    with runtime.uow() as uow:
        handlers.import_regions(uow, commands.ImportRegions(tuple(read_regions_csv(bundled_regions_csv()))))
        uow.commit()


def open_cohort(client: Any, year: int = 2023, provinsi: int = 2, kabkota: int = 50, **extra: Any) -> dict:
    response = client.post(
        "/cohorts",
        headers=auth("operator"),
        json={"year": year, "quotas": {"provinsi": provinsi, "kabkota": kabkota}, **WINDOW, **extra},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def apply(client: Any, code: str, year: int = 2023, **body: Any) -> dict:
    response = client.post(
        f"/cohorts/{year}/applications", headers=auth("region", region=code), json={"region_code": code, **body}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def score(client: Any, application_id: str, scores: dict[str, float], assessor: str = "asesor-1") -> dict:
    response = client.put(
        f"/applications/{application_id}/scores", headers=auth("assessor", sub=assessor), json={"scores": scores}
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def outbox_events(runtime: Any, *types: str) -> list[dict]:
    with runtime.session_factory() as session:
        rows = session.execute(select(runtime.outbox.c.envelope).order_by(runtime.outbox.c.created_at)).scalars()
        return [envelope for envelope in rows if not types or envelope["type"] in types]


def is_problem(response: Any, status: int) -> dict:
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    return response.get_json()
