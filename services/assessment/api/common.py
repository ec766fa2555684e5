"""The assessment API's blueprint, tags and the JSON shapes its routes answer with."""

from __future__ import annotations

import hashlib

from flask_openapi3 import APIBlueprint, Tag

from services.assessment.orm import Application, Cohort, Official, Region
from services.assessment.repository import quotas
from services.assessment.schemas import (
    ApplicationOut,
    CohortOut,
    RegionOut,
)
from shared.web import BEARER

STAFF = ("operator", "assessor", "mentor", "service")
regions_tag = Tag(name="regions", description="The Kemendagri region register and each region's officials")
cohorts_tag = Tag(name="cohorts", description="Yearly cohorts, applications, scores, ranking and selection")
api = APIBlueprint("assessment", __name__, abp_security=BEARER)


def region_json(region: Region) -> dict:
    return RegionOut.model_validate(region, from_attributes=True).model_dump(mode="json")


def officials_json(code: str, officials: list[Official]) -> dict:
    return {
        "region_code": code,
        "officials": [
            {
                "role": o.role,
                "name": o.name,
                "title": o.title,
                "position": o.position,
                "email": o.email,
                "acting": o.acting,
                "valid_from": o.valid_from.isoformat(),
                "valid_until": o.valid_until.isoformat() if o.valid_until else None,
            }
            for o in officials
        ],
    }


def cohort_json(cohort: Cohort, applications: int) -> dict:
    return CohortOut(
        year=cohort.year,
        quotas=quotas(cohort),
        applications_open_at=cohort.applications_open_at,
        applications_close_at=cohort.applications_close_at,
        assessment_due_at=cohort.assessment_due_at,
        rubric=cohort.rubric,
        status=cohort.status,
        finalized_at=cohort.finalized_at,
        forced_reason=cohort.forced_reason,
        applications=applications,
    ).model_dump(mode="json")


def application_json(application: Application, region: Region) -> dict:
    return ApplicationOut(
        id=application.id,
        cohort_year=application.cohort_year,
        region_code=region.code,
        region_name=region.name,
        kind=region.kind,
        status=application.status,
        submitted_at=application.submitted_at,
        total=application.total,
        rank=application.rank,
        selected=application.selected,
        withdrawn_at=application.withdrawn_at,
    ).model_dump(mode="json")


def application_detail_json(application: Application, region: Region, unanswered: list[str]) -> dict:
    return {
        **application_json(application, region),
        "answers": application.answers or {},
        "unanswered": unanswered,
        "withdrawal_reason": application.withdrawal_reason,
    }


class RegisterCache:
    """Serialised region lists of one register revision, with their ETags; a new revision drops them all.
    Bounded, because ``q`` is free text."""

    LIMIT = 256

    def __init__(self) -> None:
        self._revision: int | None = None
        self._bodies: dict[tuple, tuple[bytes, str]] = {}

    def get(self, revision: int, key: tuple) -> tuple[bytes, str] | None:
        return self._bodies.get(key) if revision == self._revision else None

    def put(self, revision: int, key: tuple, body: bytes) -> tuple[bytes, str]:
        if revision != self._revision or len(self._bodies) >= self.LIMIT:
            self._revision, self._bodies = revision, {}
        digest = hashlib.blake2b(body, digest_size=12).hexdigest()
        entry = self._bodies[key] = (body, f"r{revision}-{digest}")
        return entry
