"""The assessment HTTP API on PostgreSQL: bad input as problem+json, officials, self-assessment, deadlines, results."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from services.assessment.app import create_app
from tests.conftest import auth
from tests.support.assessment import (
    AFTER_WINDOW,
    DURING_WINDOW,
    WINDOW,
    apply,
    import_register,
    is_problem,
    open_cohort,
    outbox_events,
    score,
)

EVIDENCE = "https://tapteng.example/dokumen/sk-tim-smart-city.pdf"


@pytest.fixture
def round_(make_runtime, clock):
    """The register imported and cohort 2023 open, during its application window."""
    runtime = make_runtime("assessment")
    client = create_app(runtime).test_client()
    clock.set(DURING_WINDOW)
    import_register(runtime)
    cohort = open_cohort(client, 2023, provinsi=1, kabkota=2)
    return runtime, client, cohort


def full_answers(cohort: dict) -> dict:
    return {c["key"]: {"score": 70, "narrative": "sudah berjalan", "evidence": [EVIDENCE]} for c in cohort["rubric"]}


def all_scores(cohort: dict, value: float) -> dict:
    return {c["key"]: value for c in cohort["rubric"]}


# --- bad input --------------------------------------------------------------------------------


def test_an_unknown_region_is_404(round_):
    _, client, _ = round_
    body = is_problem(
        client.post("/cohorts/2023/applications", headers=auth("operator"), json={"region_code": "12.99"}), 404
    )
    assert "12.99" in body["detail"]
    is_problem(client.get("/regions/99", headers=auth("operator")), 404)


def test_a_duplicate_application_is_409_naming_the_rule(round_):
    _, client, _ = round_
    first = apply(client, "12.01")
    body = is_problem(
        client.post("/cohorts/2023/applications", headers=auth("operator"), json={"region_code": "12.01"}), 409
    )
    assert body["rule"] == "one_application_per_region" and body["application_id"] == first["id"]


@pytest.mark.parametrize("when", [datetime(2022, 5, 31, tzinfo=UTC), datetime(2022, 8, 1, tzinfo=UTC)])
def test_an_application_outside_the_window_is_409(round_, clock, when):
    _, client, _ = round_
    clock.set(when)
    body = is_problem(
        client.post("/cohorts/2023/applications", headers=auth("region", "12.01"), json={"region_code": "12.01"}), 409
    )
    assert body["rule"] == "application_window"


def test_a_bad_code_format_is_422_naming_the_field(round_):
    _, client, _ = round_
    body = is_problem(
        client.post("/cohorts/2023/applications", headers=auth("operator"), json={"region_code": "1201"}), 422
    )
    assert body["errors"][0]["field"] == "region_code"
    body = is_problem(
        client.post(
            "/regions",
            headers=auth("operator"),
            json={
                "code": "12.1",
                "name": "Kabupaten X",
                "kind": "kabupaten",
                "province_code": "12",
                "timezone": "Asia/Jakarta",
            },
        ),
        422,
    )
    assert body["errors"][0]["field"].endswith("code")


def test_a_wrong_role_is_403(round_):
    _, client, cohort = round_
    body = is_problem(
        client.post("/cohorts", headers=auth("assessor"), json={"year": 2024, "quotas": {"kabkota": 1}}), 403
    )
    assert "assessor" in body["detail"]
    body = is_problem(
        client.post("/cohorts/2023/applications", headers=auth("region", "12.02"), json={"region_code": "12.01"}), 403
    )
    assert "12.02" in body["detail"]
    application = apply(client, "12.01")
    is_problem(
        client.put(
            f"/applications/{application['id']}/scores",
            headers=auth("region", "12.01"),
            json={"scores": all_scores(cohort, 90)},
        ),
        403,
    )
    is_problem(client.get(f"/applications/{application['id']}", headers=auth("region", "12.02")), 403)


def test_a_score_outside_the_scale_names_the_criterion(round_):
    _, client, cohort = round_
    application = apply(client, "12.01")
    body = is_problem(
        client.put(
            f"/applications/{application['id']}/scores",
            headers=auth("assessor"),
            json={"scores": {"smart_living": 101}},
        ),
        422,
    )
    assert body["errors"][0]["field"] == "scores.smart_living"


# --- officials ---------------------------------------------------------------------------------

TAPTENG = [
    {
        "role": "head_of_region",
        "name": "Elfin Ilyas Nainggolan",
        "title": "S.STP., M.Si.",
        "acting": "Pj",
        "position": "Bupati Tapanuli Tengah",
        "email": "bupati@tapteng.example",
    },
    {"role": "kominfo_head", "name": "Fachrul Rozi Hutagalung", "title": "S.Kom.", "email": "kominfo@tapteng.example"},
]


def test_officials_keep_history_and_announce_changes(round_, clock):
    runtime, client, _ = round_
    put = client.put("/regions/12.01/officials", headers=auth("operator"), json={"officials": TAPTENG})
    assert put.status_code == 200
    clock.set(datetime(2022, 9, 1, tzinfo=UTC))
    successor = {**TAPTENG[1], "name": "Plt Kadis Kominfo", "acting": "Plt", "email": "plt@tapteng.example"}
    client.put("/regions/12.01/officials", headers=auth("region", "12.01"), json={"officials": [TAPTENG[0], successor]})

    current = client.get("/regions/12.01/officials", headers=auth("service")).get_json()
    assert current["region_code"] == "12.01"
    assert [o["role"] for o in current["officials"]] == ["head_of_region", "kominfo_head"]
    assert set(current["officials"][0]) == {
        "role",
        "name",
        "title",
        "position",
        "email",
        "acting",
        "valid_from",
        "valid_until",
    }
    only = client.get("/regions/12.01/officials?role=kominfo_head", headers=auth("service")).get_json()
    assert [(o["email"], o["acting"]) for o in only["officials"]] == [("plt@tapteng.example", "Plt")]
    history = client.get("/regions/12.01/officials?role=kominfo_head&history=true", headers=auth("operator"))
    assert [o["valid_until"] for o in history.get_json()["officials"]] == ["2022-09-01", None]
    changed = outbox_events(runtime, "assessment.officials_changed")
    assert [e["data"]["roles"] for e in changed] == [["head_of_region", "kominfo_head"], ["kominfo_head"]]


def test_an_unknown_official_role_is_refused_unless_configured(round_):
    runtime, client, _ = round_
    extra = {"role": "inspectorate_head", "name": "Inspektur Daerah", "email": "inspektorat@tapteng.example"}
    body = is_problem(
        client.put("/regions/12.01/officials", headers=auth("operator"), json={"officials": [extra]}), 422
    )
    assert body["errors"][0]["field"] == "officials.0.role"
    runtime.settings = replace(
        runtime.settings,
        assessment=replace(runtime.settings.assessment, extra_official_roles=("inspectorate_head",)),
    )
    configured = create_app(runtime).test_client()
    ok = configured.put("/regions/12.01/officials", headers=auth("operator"), json={"officials": [extra]})
    assert ok.status_code == 200 and ok.get_json()["officials"][0]["role"] == "inspectorate_head"


def test_regions_filter_by_kind_province_and_name(round_):
    _, client, _ = round_
    every = client.get("/regions", headers=auth("operator")).get_json()
    assert every["total"] == 552
    provinces = client.get("/regions?kind=provinsi", headers=auth("operator")).get_json()
    assert provinces["total"] == 38
    kabkota = client.get("/regions?kind=kabkota&province=12", headers=auth("operator")).get_json()
    assert {r["province_code"] for r in kabkota["items"]} == {"12"} and kabkota["total"] == 33
    found = client.get("/regions?q=tapanuli%20tengah", headers=auth("operator")).get_json()
    assert [r["code"] for r in found["items"]] == ["12.01"]


def test_the_register_is_revalidated_by_its_etag_and_a_change_shows_at_once(round_):
    runtime, client, _ = round_
    # Another process keeps its own copy of the list: a second app plays that process.
    other = create_app(runtime).test_client()
    etag = client.get("/regions", headers=auth("operator")).headers["ETag"]
    assert other.get("/regions", headers=auth("operator")).headers["ETag"] == etag
    again = client.get("/regions", headers={**auth("operator"), "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    renamed = {"code": "12.01", "name": "Kabupaten Tapanuli Tengah Baru", "kind": "kabupaten", "province_code": "12"}
    created = client.post("/regions", headers=auth("operator"), json={**renamed, "timezone": "Asia/Jakarta"})
    assert created.status_code == 201
    for reader in (client, other):
        changed = reader.get("/regions", headers={**auth("operator"), "If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["ETag"] != etag
        assert {r["code"]: r["name"] for r in changed.get_json()["items"]}["12.01"] == renamed["name"]


# --- self-assessment, withdrawal and deadlines ---------------------------------------------------------


def deadlines(runtime, region_code):
    events = outbox_events(runtime, "deadline.set", "deadline.cleared")
    return [
        (e["type"], e["data"]["deadline_id"].rsplit(":", 2)[1], e["data"].get("reason"))
        for e in events
        if e["data"]["region_code"] == region_code
    ]


def test_an_incomplete_self_assessment_is_a_deadline_until_it_is_complete(round_):
    runtime, client, cohort = round_
    application = apply(client, "12.01", answers={"struktur": {"score": 60, "evidence": [EVIDENCE]}})
    [self_set, assessment_set] = outbox_events(runtime, "deadline.set")
    assert self_set["data"]["deadline_id"] == "assessment:2023:self_assessment:12.01"
    assert self_set["data"]["audience"] == ["kominfo_head", "bappeda_head"]
    assert self_set["data"]["due_at"].startswith("2022-07-31T16:59:59")
    assert assessment_set["data"]["deadline_id"] == "assessment:2023:assessment:12.01"
    assert assessment_set["data"]["due_at"].startswith("2022-10-31T16:59:59")

    detail = client.get(f"/applications/{application['id']}", headers=auth("region", "12.01")).get_json()
    assert "struktur" not in detail["unanswered"] and len(detail["unanswered"]) == len(cohort["rubric"]) - 1
    done = client.put(
        f"/applications/{application['id']}/answers",
        headers=auth("region", "12.01"),
        json={"answers": full_answers(cohort)},
    )
    assert done.status_code == 200 and done.get_json()["unanswered"] == []
    score(client, application["id"], all_scores(cohort, 80))
    assert deadlines(runtime, "12.01") == [
        ("deadline.set", "self_assessment", None),
        ("deadline.set", "assessment", None),
        ("deadline.cleared", "self_assessment", "met"),
        ("deadline.cleared", "assessment", "met"),
    ]


def test_a_complete_self_assessment_sets_no_reminder_and_freezes_when_the_window_closes(round_, clock):
    runtime, client, cohort = round_
    application = apply(client, "12.01", answers=full_answers(cohort))
    assert deadlines(runtime, "12.01") == [("deadline.set", "assessment", None)]
    clock.set(datetime(2022, 8, 1, tzinfo=UTC))
    body = is_problem(
        client.put(
            f"/applications/{application['id']}/answers",
            headers=auth("region", "12.01"),
            json={"answers": {"struktur": {"score": 90, "evidence": [EVIDENCE]}}},
        ),
        409,
    )
    assert body["rule"] == "application_window"


def test_bad_evidence_is_422_naming_the_link(round_):
    _, client, _ = round_
    body = is_problem(
        client.post(
            "/cohorts/2023/applications",
            headers=auth("region", "12.01"),
            json={"region_code": "12.01", "answers": {"struktur": {"score": 50, "evidence": ["file:///c"]}}},
        ),
        422,
    )
    assert body["errors"][0]["field"] == "answers.struktur.evidence.0"


def test_withdrawal_ends_reminders_and_leaves_the_ranking(round_):
    runtime, client, cohort = round_
    application = apply(client, "12.01")
    withdrawn = client.post(
        f"/applications/{application['id']}/withdrawal",
        headers=auth("region", "12.01"),
        json={"reason": "Pergantian kepala daerah; mendaftar tahun depan"},
    )
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"
    assert deadlines(runtime, "12.01")[-2:] == [
        ("deadline.cleared", "self_assessment", "cancelled"),
        ("deadline.cleared", "assessment", "cancelled"),
    ]
    [event] = outbox_events(runtime, "assessment.application_withdrawn")
    assert event["data"]["reason"].startswith("Pergantian")
    is_problem(
        client.post(f"/applications/{application['id']}/withdrawal", headers=auth("operator"), json={"reason": "lagi"}),
        409,
    )
    is_problem(
        client.put(
            f"/applications/{application['id']}/scores",
            headers=auth("assessor"),
            json={"scores": all_scores(cohort, 80)},
        ),
        409,
    )
    ranking = client.get("/cohorts/2023/ranking", headers=auth("operator")).get_json()
    assert ranking["groups"]["kabkota"] == [] and ranking["unscored"] == []


# --- selection, forcing and results ---------------------------------------------------------------------


def test_selection_is_refused_while_unscored_unless_forced_with_a_reason(round_, clock):
    runtime, client, cohort = round_
    scored = apply(client, "12.01")
    apply(client, "12.02")
    score(client, scored["id"], all_scores(cohort, 75))
    clock.set(AFTER_WINDOW)
    refused = is_problem(client.post("/cohorts/2023/selection", headers=auth("operator"), json={}), 409)
    assert refused["missing"] == ["12.02"]
    no_reason = is_problem(client.post("/cohorts/2023/selection", headers=auth("operator"), json={"force": True}), 422)
    assert no_reason["errors"][0]["field"] == "reason"
    forced = client.post(
        "/cohorts/2023/selection",
        headers=auth("operator"),
        json={"force": True, "reason": "Batas waktu penilaian; 12.02 tidak hadir presentasi"},
    )
    assert forced.status_code == 200
    assert forced.get_json()["forced_reason"].startswith("Batas waktu")
    outcomes = {
        e["subject"]: e["type"]
        for e in outbox_events(runtime, "assessment.region_selected", "assessment.region_not_selected")
    }
    assert outcomes == {"12.01": "assessment.region_selected", "12.02": "assessment.region_not_selected"}
    assert ("deadline.cleared", "assessment", "cancelled") in deadlines(runtime, "12.02")


def test_results_are_published_as_satu_data_once_finalised(round_, clock):
    _, client, cohort = round_
    is_problem(client.get("/cohorts/2023/results.json"), 409)
    for code, value in (("12", 70), ("12.01", 90), ("12.71", 60), ("12.02", 80)):
        score(client, apply(client, code)["id"], all_scores(cohort, value))
    clock.set(AFTER_WINDOW)
    client.post("/cohorts/2023/selection", headers=auth("operator"), json={})

    results = client.get("/cohorts/2023/results.json")  # open data: no token
    assert results.status_code == 200
    body = results.get_json()
    metadata = body["metadata"]
    for key in ("title", "description", "producer", "period", "update_frequency", "licence", "columns"):
        assert metadata[key]
    units = {c["name"]: c["unit"] for c in metadata["columns"]}
    assert units["nilai_total"] == "poin (0-100)" and units["nilai_struktur"] == "poin (0-100)"
    assert [(r["kode_wilayah"], r["peringkat"], r["status_seleksi"]) for r in body["data"]] == [
        ("12", 1, "terpilih"),
        ("12.01", 1, "terpilih"),
        ("12.02", 2, "terpilih"),
        ("12.71", 3, "tidak terpilih"),
    ]

    as_csv = client.get("/cohorts/2023/results.csv")
    assert as_csv.mimetype == "text/csv" and 'rel="describedby"' in as_csv.headers["Link"]
    rows = list(csv.DictReader(io.StringIO(as_csv.data.decode("utf-8"))))
    assert list(rows[0]) == [c["name"] for c in metadata["columns"]]
    assert [(r["kode_wilayah"], r["kode_provinsi"], r["nilai_total"]) for r in rows][:2] == [
        ("12", "", "70.0"),
        ("12.01", "12", "90.0"),
    ]


def test_the_openapi_document_describes_every_route(round_):
    _, client, _ = round_
    document = client.get("/openapi.json").get_json()
    paths = document["paths"]
    for path, method in [
        ("/regions/import", "post"),
        ("/regions/{code}/officials", "get"),
        ("/cohorts/{year}/applications", "post"),
        ("/applications/{application_id}/answers", "put"),
        ("/applications/{application_id}/withdrawal", "post"),
        ("/cohorts/{year}/selection", "post"),
        ("/cohorts/{year}/results.json", "get"),
        ("/cohorts/{year}/results.csv", "get"),
    ]:
        assert method in paths[path], path
    assert "AnswerIn" in document["components"]["schemas"]


def test_nul_characters_are_422_not_a_database_error(round_):
    _, client, _ = round_
    application = apply(client, "12.01")
    attempts = [
        client.post(
            "/regions",
            headers=auth("operator"),
            json={
                "code": "12.69",
                "name": "Kab\x00X",
                "kind": "kabupaten",
                "province_code": "12",
                "timezone": "Asia/Jakarta",
            },
        ),
        client.put(
            f"/applications/{application['id']}/answers",
            headers=auth("operator"),
            json={"answers": {"struktur": {"score": 1, "narrative": "a\x00b"}}},
        ),
        client.post(
            f"/applications/{application['id']}/withdrawal", headers=auth("operator"), json={"reason": "abc\x00"}
        ),
        client.put(
            "/regions/12.01/officials",
            headers=auth("operator"),
            json={"officials": [{"role": "kominfo_head", "name": "A\x00B", "email": "a@b.example"}]},
        ),
        client.get("/regions?q=a%00b", headers=auth("operator")),
    ]
    for response in attempts:
        assert "NUL" in is_problem(response, 422)["detail"]


def test_moving_the_cohort_dates_moves_the_applicants_deadlines(round_):
    runtime, client, cohort = round_
    apply(client, "12.01")  # no answers yet: both its deadlines are live
    scored = apply(client, "12.71", answers=full_answers(cohort))
    score(client, scored["id"], all_scores(cohort, 80))  # scored: its assessment deadline is met
    before = len(outbox_events(runtime, "deadline.set"))
    new_close = "2022-08-15T16:59:59+00:00"
    new_due = "2022-11-30T16:59:59+00:00"
    response = client.patch(
        "/cohorts/2023",
        headers=auth("operator"),
        json={"applications_close_at": new_close, "assessment_due_at": new_due, "quotas": {"kabkota": 3}},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["quotas"] == {"provinsi": 1, "kabkota": 3}
    moved = outbox_events(runtime, "deadline.set")[before:]
    assert sorted((e["data"]["deadline_id"], e["data"]["due_at"]) for e in moved) == [
        ("assessment:2023:assessment:12.01", "2022-11-30T16:59:59Z"),
        ("assessment:2023:self_assessment:12.01", "2022-08-15T16:59:59Z"),
    ]


def test_cohort_changes_are_checked(round_):
    _, client, _ = round_
    backwards = client.patch(
        "/cohorts/2023", headers=auth("operator"), json={"assessment_due_at": "2022-01-01T00:00:00+00:00"}
    )
    assert is_problem(backwards, 422)["errors"][0]["field"] == "assessment_due_at"
    assert is_problem(client.patch("/cohorts/2023", headers=auth("assessor"), json={}), 403)
    assert is_problem(client.patch("/cohorts/2031", headers=auth("operator"), json={}), 404)
    negative = client.patch("/cohorts/2023", headers=auth("operator"), json={"quotas": {"provinsi": -1}})
    assert is_problem(negative, 422)["errors"][0]["field"] == "quotas.provinsi"


def test_numbers_the_database_cannot_hold_are_422_not_a_server_error(round_):
    _, client, _ = round_
    operator = {**auth("operator"), "Content-Type": "application/json"}
    huge_quota = client.patch("/cohorts/2023", headers=auth("operator"), json={"quotas": {"kabkota": 10**12}})
    assert is_problem(huge_quota, 422)["errors"][0]["field"].startswith("quotas")
    window = ", ".join(f'"{key}": "{value}"' for key, value in WINDOW.items())
    for criterion in (
        '{"key": "tata_kelola", "label": "Tata kelola", "group": "dimensi", "weight": Infinity}',
        '{"key": "tata_kelola", "label": "Tata kelola", "group": "dimensi", "weight": 1, "scale_max": Infinity}',
    ):
        body = f'{{"year": 2024, "quotas": {{"provinsi": 1, "kabkota": 1}}, {window}, "rubric": [{criterion}]}}'
        is_problem(client.post("/cohorts", headers=operator, data=body), 422)
    too_many = {"year": 2024, "quotas": {"provinsi": 10**12, "kabkota": 1}, **WINDOW}
    assert is_problem(client.post("/cohorts", headers=auth("operator"), json=too_many), 422)


def test_selection_waits_for_the_window_to_close_unless_an_operator_forces_it_with_a_reason(round_, clock):
    runtime, client, cohort = round_
    score(client, apply(client, "12.01")["id"], all_scores(cohort, 80))
    refused = is_problem(client.post("/cohorts/2023/selection", headers=auth("operator"), json={}), 409)
    assert refused["rule"] == "application_window" and "open until" in refused["detail"]
    assert outbox_events(runtime, "assessment.cohort_finalized") == []
    reason = "Jadwal penandatanganan 28 Februari; seluruh pendaftar telah dinilai"
    forced = client.post(
        "/cohorts/2023/selection", headers=auth("operator", sub="operator-sari"), json={"force": True, "reason": reason}
    )
    assert forced.status_code == 200 and forced.get_json()["forced_reason"] == reason
    trail = client.get("/cohorts/2023/audit", headers=auth("operator")).get_json()["items"]
    assert [e["action"] for e in trail] == ["opened", "selection"]
    selection = trail[-1]
    assert selection["actor"] == "operator-sari" and selection["details"]["forced"] is True
    assert selection["details"]["reason"] == reason and selection["details"]["window_open_until"]
    assert client.get("/cohorts/2023/audit", headers=auth("region", region="12.01")).status_code == 403
