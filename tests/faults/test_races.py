"""Requests sent at the same moment end in one change and a clean 409, or one after the other; never twice.

Run on SQLite (the embedded default, where FOR UPDATE does nothing and transactions begin IMMEDIATE
instead) and on PostgreSQL.
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from services.assessment.app import create_app as assessment_app
from services.assessment.orm import Official
from services.mou.app import create_app as mou_app
from tests.conftest import auth
from tests.faults.conftest import at_once
from tests.support import assessment as support
from tests.support.mou import dirjen, draft, outbox_events, representative

pytestmark = pytest.mark.timeout(180)


AGREEMENTS = 5  # each signed by two requests at once: 10 requests, 5 signings, 0 duplicates


def test_two_signings_of_one_agreement_sign_it_once(service_on_backend):
    mou = service_on_backend("mou")
    body = {"signed_at": mou.clock.now().isoformat(), "signatories": [representative(), dirjen()]}
    for index in range(AGREEMENTS):
        agreement = draft(mou, f"12.{index + 1:02d}")
        clients = [mou_app(mou).test_client() for _ in range(2)]
        responses = at_once(
            *[
                lambda c=c, a=agreement: c.post(f"/agreements/{a}/sign", json=body, headers=auth("operator"))
                for c in clients
            ]
        )
        assert sorted(r.status_code for r in responses) == [200, 409], [r.get_json() for r in responses]
        view = clients[0].get(f"/agreements/{agreement}", headers=auth("operator")).get_json()
        assert len(view["signatories"]) == 2
    assert len(outbox_events(mou, "mou.signed")) == AGREEMENTS


def test_three_selections_at_once_finalise_the_cohort_once(service_on_backend, clock):
    assessment = service_on_backend("assessment")
    client = assessment_app(assessment).test_client()
    clock.set(support.DURING_WINDOW)
    support.import_register(assessment)
    cohort = support.open_cohort(client, 2023, provinsi=1, kabkota=2)
    for code, value in (("12", 80), ("12.01", 90), ("12.71", 70), ("13.01", 60)):
        application = support.apply(client, code)
        support.score(client, application["id"], {c["key"]: value for c in cohort["rubric"]})
    clock.set(support.AFTER_WINDOW)
    clients = [assessment_app(assessment).test_client() for _ in range(3)]
    responses = at_once(
        *[lambda c=c: c.post("/cohorts/2023/selection", json={}, headers=auth("operator")) for c in clients]
    )
    # Selection is idempotent: whoever comes second sees the finalised cohort and publishes nothing.
    assert [r.status_code for r in responses] == [200, 200, 200], [r.get_json() for r in responses]
    assert sorted(e["subject"] for e in support.outbox_events(assessment, "assessment.region_selected")) == [
        "12",
        "12.01",
        "12.71",
    ]
    assert len(support.outbox_events(assessment, "assessment.cohort_finalized")) == 1


def test_two_line_ups_sent_at_once_leave_one_current_holder_per_role(service_on_backend):
    assessment = service_on_backend("assessment")
    client = assessment_app(assessment).test_client()
    support.import_register(assessment)

    def line_up(name: str) -> dict:
        return {"officials": [{"role": "kominfo_head", "name": name, "email": f"{name.lower()}@tapteng.example"}]}

    clients = [assessment_app(assessment).test_client() for _ in range(2)]
    responses = at_once(
        *[
            lambda c=c, n=n: c.put("/regions/12.01/officials", json=line_up(n), headers=auth("operator"))
            for c, n in zip(clients, ("Fachrul", "Rozi"), strict=True)
        ]
    )
    assert sorted(r.status_code for r in responses) in ([200, 200], [200, 409]), [r.get_json() for r in responses]
    with assessment.session_factory() as session:
        current = session.scalars(
            select(Official).where(Official.region_code == "12.01", Official.valid_until.is_(None))
        ).all()
    assert Counter(o.role for o in current) == {"kominfo_head": 1}
    # A later full line-up still repairs and replaces whatever is current.
    assert client.put("/regions/12.01/officials", json=line_up("Baru"), headers=auth("operator")).status_code == 200
    listed = client.get("/regions/12.01/officials", headers=auth("operator")).get_json()["officials"]
    assert [o["name"] for o in listed] == ["Baru"]


def test_two_reviews_of_one_deliverable_apply_once(service_on_backend):
    import io

    from services.mentoring import commands, handlers
    from services.mentoring.app import create_app as mentoring_app
    from shared.auth import Principal
    from tests.support.mentoring import outbox, start_programme

    mentoring = service_on_backend("mentoring")
    programme_id = start_programme(mentoring, region_code="12.01")
    with mentoring.uow() as uow:
        operator = Principal(sub="op", role="operator")
        handlers.assign_mentor(uow, commands.AssignMentor(programme_id, "mentor-rina", "Rina", operator))
        uow.commit()
    client = mentoring_app(mentoring).test_client()
    programme = client.get(f"/programmes/{programme_id}", headers=auth("operator")).get_json()
    milestone = programme["stages"][0]["milestones"][0]["id"]
    submitted = client.post(
        f"/milestones/{milestone}/submissions",
        data={"file": (io.BytesIO(b"%PDF-1.7 Buku I"), "buku-1.pdf")},
        headers=auth("region", region="12.01"),
        content_type="multipart/form-data",
    )
    assert submitted.status_code == 201, submitted.get_json()
    review = f"/submissions/{submitted.get_json()['id']}/review"
    mentor = auth("mentor", sub="mentor-rina")
    clients = [mentoring_app(mentoring).test_client() for _ in range(2)]
    responses = at_once(*[lambda c=c: c.post(review, json={"decision": "accept"}, headers=mentor) for c in clients])
    assert sorted(r.status_code for r in responses) == [200, 409], [r.get_json() for r in responses]
    assert len(outbox(mentoring, "mentoring.deliverable_reviewed")) == 1
