"""Deliverables on real PostgreSQL: hand-in, review, revision, stage progress, rescheduling and bad input."""

import hashlib
import io
from datetime import UTC, datetime

import pytest

from services.mentoring.app import create_app
from shared.storage import key_for
from tests.conftest import auth
from tests.support.mentoring import outbox, start_programme

MENTOR = "mentor-rina"
PDF = b"%PDF-1.7\n% SK Dewan Smart City Kabupaten Tapanuli Tengah\n" + b"0" * 4096


@pytest.fixture
def runtime(make_runtime):
    return make_runtime("mentoring")


@pytest.fixture
def client(runtime):
    return create_app(runtime).test_client()


@pytest.fixture
def programme(runtime, client):
    programme_id = start_programme(runtime, region_code="12.01")
    assert (
        client.post(
            f"/programmes/{programme_id}/mentors", json={"mentor": MENTOR}, headers=auth("operator")
        ).status_code
        == 200
    )
    view = client.get(f"/programmes/{programme_id}", headers=auth("operator")).get_json()
    return {"id": programme_id, "milestones": {m["key"]: m for s in view["stages"] for m in s["milestones"]}}


REGION = auth("region", region="12.01")
MENTOR_AUTH = auth("mentor", sub=MENTOR)


def upload(client, milestone_id, content=PDF, headers=None, filename="sk-dewan.pdf"):
    return client.post(
        f"/milestones/{milestone_id}/submissions",
        data={"file": (io.BytesIO(content), filename, "application/pdf"), "note": "versi final"},
        content_type="multipart/form-data",
        headers=headers or REGION,
    )


def link(client, milestone_id, url="https://drive.example/tapteng/buku-1", headers=None):
    return client.post(f"/milestones/{milestone_id}/submissions", json={"link": url}, headers=headers or REGION)


def review(client, submission_id, headers=None, **body):
    return client.post(f"/submissions/{submission_id}/review", json=body, headers=headers or MENTOR_AUTH)


def stage_status(client, programme_id):
    view = client.get(f"/programmes/{programme_id}", headers=auth("operator")).get_json()
    return {s["key"]: s["status"] for s in view["stages"]}


def test_submit_request_revision_resubmit_accept_and_the_stage_completes_only_when_all_are_accepted(
    runtime, client, programme, settings
):
    sk_dewan = programme["milestones"]["sk_dewan_smart_city"]
    sk_tim = programme["milestones"]["sk_tim_pelaksana"]

    # 1. The region uploads its decree; it is stored with its SHA-256.
    first = upload(client, sk_dewan["id"])
    assert first.status_code == 201, first.get_json()
    first = first.get_json()
    assert first["status"] == "submitted" and first["attempt"] == 1
    assert first["file"]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert first["file"]["size_bytes"] == len(PDF) and first["file"]["filename"] == "sk-dewan.pdf"
    stored = settings.var_dir / "mentoring" / "submissions" / key_for(first["file"]["sha256"])
    assert stored.read_bytes() == PDF
    downloaded = client.get(first["file"]["download"], headers=MENTOR_AUTH)
    assert downloaded.status_code == 200 and downloaded.data == PDF
    [submitted] = outbox(runtime, "mentoring.deliverable_submitted")
    assert submitted["data"]["submission_id"] == first["id"]

    # 2. The mentor asks for a revision with comments and a new due date: the deadline moves.
    revision = review(
        client, first["id"], decision="request_revision", comments="Lengkapi susunan anggota", due_date="2023-05-15"
    )
    assert revision.status_code == 200, revision.get_json()
    assert revision.get_json()["review"]["new_due_date"] == "2023-05-15"
    view = client.get(f"/programmes/{programme['id']}", headers=REGION).get_json()
    moved = next(m for s in view["stages"] for m in s["milestones"] if m["id"] == sk_dewan["id"])
    assert (moved["status"], moved["due_date"]) == ("revision_requested", "2023-05-15")
    reset = [d for d in outbox(runtime, "deadline.set") if d["data"]["deadline_id"].endswith(sk_dewan["id"])]
    assert sorted(datetime.fromisoformat(d["data"]["due_at"]) for d in reset)[-1] == datetime(
        2023, 5, 15, 16, 59, 59, 999999, tzinfo=UTC
    )
    [reviewed] = outbox(runtime, "mentoring.deliverable_reviewed")
    assert reviewed["data"]["decision"] == "revision_requested"
    assert outbox(runtime, "deadline.cleared") == []

    # 3. The region resubmits, this time as a link; the mentor accepts; the deadline is cleared.
    second = link(client, sk_dewan["id"]).get_json()
    assert second["attempt"] == 2 and second["link"] == "https://drive.example/tapteng/buku-1"
    assert review(client, second["id"], decision="accept").status_code == 200
    [cleared] = outbox(runtime, "deadline.cleared")
    assert cleared["data"] == {
        "deadline_id": f"mentoring:milestone:{sk_dewan['id']}",
        "region_code": "12.01",
        "reason": "met",
        "version": 3,  # set when the programme started, moved by the revision request, met
    }

    # The stage waits for its other decree.
    assert stage_status(client, programme["id"])["kelembagaan"] == "active"
    assert outbox(runtime, "mentoring.stage_completed") == []

    third = link(client, sk_tim["id"]).get_json()
    assert review(client, third["id"], decision="accept").status_code == 200
    statuses = stage_status(client, programme["id"])
    assert (statuses["kelembagaan"], statuses["bimtek_1"], statuses["bimtek_2"]) == ("completed", "active", "pending")
    [completed] = outbox(runtime, "mentoring.stage_completed")
    assert completed["data"]["stage_key"] == "kelembagaan"
    assert {e["data"]["stage_key"] for e in outbox(runtime, "mentoring.stage_started")} == {"kelembagaan", "bimtek_1"}

    # The full history: both hand-ins with their reviews and the date the revision moved.
    history = client.get(f"/milestones/{sk_dewan['id']}/submissions", headers=REGION).get_json()
    assert [(s["attempt"], s["status"]) for s in history["submissions"]] == [(1, "revision_requested"), (2, "accepted")]
    assert history["submissions"][0]["review"]["comments"] == "Lengkapi susunan anggota"
    assert history["submissions"][1]["review"]["reviewed_by"] == MENTOR
    assert [(c["old_due_date"], c["new_due_date"], c["cause"]) for c in history["due_date_changes"]] == [
        ("2023-04-29", "2023-05-15", "revision_requested")
    ]


def test_a_submission_by_another_regions_token_is_forbidden(client, programme):
    milestone = programme["milestones"]["buku_1"]
    response = link(client, milestone["id"], headers=auth("region", region="94.71"))
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    response = upload(client, milestone["id"], headers=auth("region", region="94.71"))
    assert response.status_code == 403
    assert link(client, milestone["id"], headers=MENTOR_AUTH).status_code == 403


def test_a_review_by_anyone_but_an_assigned_mentor_is_forbidden(client, programme):
    submission = link(client, programme["milestones"]["buku_1"]["id"]).get_json()
    for headers in (auth("operator"), auth("assessor"), REGION, auth("service")):
        response = review(client, submission["id"], headers=headers, decision="accept")
        assert response.status_code == 403, headers
        assert response.mimetype == "application/problem+json"
    unassigned = auth("mentor", sub="mentor-budi")
    assert review(client, submission["id"], headers=unassigned, decision="accept").status_code == 403
    assert client.get(f"/submissions/{submission['id']}", headers=MENTOR_AUTH).get_json()["status"] == "submitted"


def test_rescheduling_into_the_past_is_refused_and_a_move_is_published_and_kept(runtime, client, programme, clock):
    milestone = programme["milestones"]["buku_2"]
    clock.set(datetime(2023, 4, 10, 3, tzinfo=UTC))
    past = client.patch(f"/milestones/{milestone['id']}", json={"due_date": "2023-04-09"}, headers=MENTOR_AUTH)
    assert past.status_code == 422
    assert past.get_json()["errors"][0]["field"] == "due_date"
    before = len(outbox(runtime, "deadline.set"))
    moved = client.patch(
        f"/milestones/{milestone['id']}",
        json={"due_date": "2023-05-20", "reason": "Bimtek II diundur"},
        headers=MENTOR_AUTH,
    )
    assert moved.status_code == 200
    assert moved.get_json()["due_date"] == "2023-05-20"
    after = outbox(runtime, "deadline.set")
    assert len(after) == before + 1
    history = client.get(f"/milestones/{milestone['id']}/submissions", headers=MENTOR_AUTH).get_json()
    assert [(c["old_due_date"], c["new_due_date"], c["reason"]) for c in history["due_date_changes"]] == [
        ("2023-05-06", "2023-05-20", "Bimtek II diundur")
    ]
    assert (
        client.patch(
            f"/milestones/{milestone['id']}", json={"due_date": "2023-06-01"}, headers=auth("mentor", sub="mentor-budi")
        ).status_code
        == 403
    )
    assert (
        client.patch(f"/milestones/{milestone['id']}", json={"due_date": "2023-06-01"}, headers=REGION).status_code
        == 403
    )


def test_bad_hand_ins_and_reviews_are_refused_with_clear_problems(client, programme, clock):
    milestone = programme["milestones"]["buku_1"]
    neither = client.post(f"/milestones/{milestone['id']}/submissions", data={"note": "x"}, headers=REGION)
    assert neither.status_code == 422
    assert link(client, milestone["id"], url="ftp://example/x").status_code == 422
    assert upload(client, milestone["id"], content=b"").status_code == 422
    assert (
        client.post("/milestones/nope/submissions", json={"link": "https://x.example"}, headers=REGION).status_code
        == 404
    )

    submission = link(client, milestone["id"]).get_json()
    again = link(client, milestone["id"])
    assert again.status_code == 409 and "awaiting review" in again.get_json()["detail"]

    assert review(client, submission["id"], decision="request_revision", due_date="2023-05-01").status_code == 422
    no_date = review(client, submission["id"], decision="request_revision", comments="Perbaiki SWOT")
    assert no_date.status_code == 422 and no_date.get_json()["errors"][0]["field"] == "due_date"
    clock.set(datetime(2023, 4, 10, 3, tzinfo=UTC))
    past = review(client, submission["id"], decision="request_revision", comments="Perbaiki", due_date="2023-04-01")
    assert past.status_code == 422
    assert review(client, submission["id"], decision="maybe").status_code == 422
    assert review(client, submission["id"], decision="accept").status_code == 200
    assert review(client, submission["id"], decision="accept").status_code == 409
    assert link(client, milestone["id"]).status_code == 409  # accepted: nothing more to hand in
    assert review(client, "nope", decision="accept").status_code == 404
    evaluation = programme["milestones"]["monev_self_assessment"]
    assert link(client, evaluation["id"]).status_code == 409


def test_an_upload_over_the_limit_is_refused_and_leaves_no_file(make_runtime, settings):
    from dataclasses import replace

    runtime = make_runtime("mentoring")
    runtime.settings = replace(settings, mentoring=replace(settings.mentoring, upload_max_mb=1))
    client = create_app(runtime).test_client()
    programme_id = start_programme(runtime)
    view = client.get(f"/programmes/{programme_id}", headers=REGION).get_json()
    milestone = next(m for s in view["stages"] for m in s["milestones"] if m["key"] == "buku_1")
    response = upload(client, milestone["id"], content=b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    folder = settings.var_dir / "mentoring" / "submissions"
    assert not folder.exists() or list(folder.iterdir()) == []
    refused = upload(client, milestone["id"], headers=auth("region", region="94.71"))
    assert refused.status_code == 403
    assert not folder.exists() or list(folder.iterdir()) == []


def test_progress_shows_the_stage_the_next_deadline_and_what_is_late(runtime, client, programme, clock):
    late_region = start_programme(runtime, region_code="94.71", region_name="Kota Jayapura", timezone="Asia/Jayapura")
    on_time = programme["id"]
    for key in ("sk_dewan_smart_city", "sk_tim_pelaksana", "buku_1"):
        submission = link(client, programme["milestones"][key]["id"]).get_json()
        assert review(client, submission["id"], decision="accept").status_code == 200
    clock.set(datetime(2023, 5, 1, 3, tzinfo=UTC))

    mine = client.get(f"/programmes/{on_time}/progress", headers=REGION).get_json()
    assert mine["stage"]["key"] == "bimtek_2"
    assert mine["next_deadline"]["key"] == "buku_2" and mine["overdue"] == []
    assert (mine["stages_completed"], mine["milestones_accepted"]) == (2, 3)

    # The stage is the one of the work due first: Buku I, overdue since 6 April, before the decrees.
    theirs = client.get(f"/programmes/{late_region}/progress", headers=auth("operator")).get_json()
    assert theirs["stage"]["key"] == "bimtek_1"
    assert [o["key"] for o in theirs["overdue"]] == ["buku_1", "sk_dewan_smart_city", "sk_tim_pelaksana"]
    assert theirs["overdue"][0]["days_overdue"] == 24
    view = client.get(f"/programmes/{late_region}", headers=auth("operator")).get_json()
    assert view["current_stage"] == "bimtek_1"
    assert {s["key"]: s["status"] for s in view["stages"] if s["status"] != "pending"} == {
        "kelembagaan": "active",
        "bimtek_1": "active",
    }

    cohort = client.get("/cohorts/2023/progress", headers=auth("operator")).get_json()
    assert cohort["programmes"] == 2
    assert cohort["by_stage"] == {"bimtek_1": 1, "bimtek_2": 1}
    assert [(r["region_code"], r["stage"]) for r in cohort["late"]] == [("94.71", "bimtek_1")]
    assert client.get("/cohorts/2023/progress", headers=REGION).status_code == 403


def test_a_text_field_named_file_is_not_taken_for_an_upload(client, programme):
    milestone = programme["milestones"]["sk_dewan_smart_city"]
    response = client.post(
        f"/milestones/{milestone['id']}/submissions",
        data={"file": "not a file"},
        content_type="multipart/form-data",
        headers=REGION,
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "file"


def test_the_same_bytes_are_stored_once_and_kept_when_a_commit_fails(runtime, client, programme, settings, monkeypatch):
    from shared.uow import UnitOfWork

    sk_dewan = programme["milestones"]["sk_dewan_smart_city"]
    folder = settings.var_dir / "mentoring" / "submissions"
    blob = folder / key_for(hashlib.sha256(PDF).hexdigest())

    def lost_database(self, **_kwargs):  # noqa: ANN001, ANN003, ANN202
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patched:
        patched.setattr(UnitOfWork, "commit", lost_database)
        assert upload(client, sk_dewan["id"]).status_code == 500
    # Another submission may hold the same bytes, so a failed hand-in leaves its file where it is.
    assert blob.read_bytes() == PDF
    assert client.get(f"/milestones/{sk_dewan['id']}/submissions", headers=REGION).get_json()["submissions"] == []

    first = upload(client, sk_dewan["id"]).get_json()
    review(client, first["id"], decision="request_revision", comments="Tambah lampiran", due_date="2023-05-15")
    second = upload(client, sk_dewan["id"]).get_json()
    assert (first["attempt"], second["attempt"]) == (1, 2) and first["id"] != second["id"]
    assert [p for p in folder.rglob("*") if p.is_file()] == [blob]
    for submission in (first, second):
        assert client.get(submission["file"]["download"], headers=MENTOR_AUTH).data == PDF


def test_a_file_stored_under_its_submission_id_before_the_store_was_content_addressed_still_downloads(
    client, programme, settings
):
    submission = upload(client, programme["milestones"]["buku_1"]["id"]).get_json()
    folder = settings.var_dir / "mentoring" / "submissions"
    (folder / key_for(submission["file"]["sha256"])).rename(folder / submission["id"])
    downloaded = client.get(submission["file"]["download"], headers=MENTOR_AUTH)
    assert downloaded.status_code == 200 and downloaded.data == PDF
    (folder / submission["id"]).unlink()
    missing = client.get(submission["file"]["download"], headers=MENTOR_AUTH)
    assert missing.status_code == 404 and "missing" in missing.get_json()["detail"]


def test_a_file_for_a_milestone_awaiting_review_is_refused_before_it_is_stored(client, programme, settings):
    milestone = programme["milestones"]["buku_1"]
    assert link(client, milestone["id"]).status_code == 201
    refused = upload(client, milestone["id"], content=b"%PDF-1.7 another draft")
    assert refused.status_code == 409
    folder = settings.var_dir / "mentoring" / "submissions"
    assert not folder.exists() or [p for p in folder.rglob("*") if p.is_file()] == []
    both = client.post(
        f"/milestones/{milestone['id']}/submissions",
        data={"file": (io.BytesIO(PDF), "x.pdf"), "link": "https://drive.example/x"},
        content_type="multipart/form-data",
        headers=REGION,
    )
    assert both.status_code == 422
    assert not folder.exists() or [p for p in folder.rglob("*") if p.is_file()] == []
