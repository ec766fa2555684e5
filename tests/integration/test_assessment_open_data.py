"""Satu Data open data of a finalised cohort: a Frictionless Data Package, DCAT metadata, in Indonesian."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import frictionless
import pytest

from services.assessment import open_data
from services.assessment.app import create_app
from services.assessment.schemas import ResultsOut
from services.cli import main
from tests.conftest import auth
from tests.support import infra
from tests.support.assessment import DURING_WINDOW, apply, import_register, is_problem, open_cohort, score

CC_BY = "https://creativecommons.org/licenses/by/4.0/"
# WIB dates of the test window (tests/support/assessment.py): it opens at 00:00 WIB on 1 June, which is
# still 31 May in UTC, so a UTC date would show here as 2022-05-31.
START, END = "2022-06-01", "2022-10-31"
# Words that would mean English crept into the Indonesian texts. "data", "total" and "status" are
# Indonesian too, and "Frictionless" and "Creative Commons" are names.
ENGLISH = set(
    "the and of for with to is are by not yet smart city score scores rank ranking result results selected "
    "selection licence license period producer region regions province provinces weighted higher first equal "
    "earlier submission lower attribution international readiness dimension assessor assessors governance "
    "branding economy living society environment yearly annual open code codes name empty missing bundled "
    "crosswalk applicant applicants year quota group date dates publisher keyword keywords".split()
)
AFTER_WINDOW = datetime(2022, 8, 15, 3, 0, tzinfo=UTC)
UTC_INSTANT = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]00:00)\b")


@pytest.fixture
def finalised(make_runtime, clock, database_urls, redis_url, tmp_path, monkeypatch):
    """Cohort 2023 finalised: a province, three kabupaten/kota scored and one kota withdrawn. The CLI
    reads the same databases through the environment."""
    runtime = make_runtime("assessment")
    env = infra.test_env(database_urls, redis_url, tmp_path / "var", CERDAS_CLOCK_START="2022-07-01T03:00:00Z")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    client = create_app(runtime).test_client()
    clock.set(DURING_WINDOW)
    import_register(runtime)
    cohort = open_cohort(client, 2023, provinsi=1, kabkota=2)
    for code, value in (("12", 70), ("12.01", 90), ("12.71", 60), ("12.02", 80)):
        score(client, apply(client, code)["id"], {c["key"]: value for c in cohort["rubric"]})
    withdrawn = apply(client, "13.71")
    reason = {"reason": "Pergantian kepala daerah; mendaftar tahun depan"}
    response = client.post(f"/applications/{withdrawn['id']}/withdrawal", headers=auth("operator"), json=reason)
    assert response.status_code == 200, response.get_json()
    clock.set(AFTER_WINDOW)  # selection waits for the application window to close
    selection = client.post("/cohorts/2023/selection", headers=auth("operator"), json={})
    assert selection.status_code == 200, selection.get_json()
    return runtime, client


def save_package(client: Any, folder: Path) -> dict:
    """datapackage.json and results.csv as the API serves them, side by side as their URLs are."""
    folder.mkdir()
    descriptor = client.get("/cohorts/2023/datapackage.json")
    assert descriptor.status_code == 200 and descriptor.mimetype == "application/json"
    (folder / "datapackage.json").write_bytes(descriptor.data)
    (folder / "results.csv").write_bytes(client.get("/cohorts/2023/results.csv").data)
    return descriptor.get_json()


def indonesian_texts(descriptor: dict) -> list[str]:
    """Every text of the descriptor written for people: what must read as Indonesian."""
    texts = [descriptor["title"], descriptor["description"], *descriptor["keywords"]]
    texts += [item["title"] for item in descriptor["licenses"] + descriptor["contributors"]]
    for resource in descriptor["resources"]:
        texts += [resource["title"], resource["description"]]
        for field in resource["schema"]["fields"]:
            texts += [field["title"], field["description"]]
    return texts


def english_words(texts: list[str]) -> set[str]:
    return {word for text in texts for word in re.findall(r"[a-z]+", text.lower()) if word in ENGLISH}


def test_the_data_package_and_its_data_validate_with_frictionless(finalised, tmp_path):
    _, client = finalised
    descriptor = save_package(client, tmp_path / "paket")

    report = frictionless.validate(str(tmp_path / "paket" / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    package = frictionless.Package(str(tmp_path / "paket" / "datapackage.json"))
    rows = package.get_resource("hasil-seleksi").read_rows()
    assert [(r["kode_wilayah"], r["kode_bps"], r["peringkat"], r["status_seleksi"]) for r in rows] == [
        ("12", None, 1, "terpilih"),
        ("12.01", "1204", 1, "terpilih"),  # the one pair the bundled crosswalk holds
        ("12.02", None, 2, "terpilih"),
        ("12.71", None, 3, "tidak terpilih"),
        ("13.71", None, None, "mengundurkan diri"),
    ]
    schema = descriptor["resources"][0]["schema"]
    assert schema["primaryKey"] == ["tahun", "kode_wilayah"]
    assert schema["foreignKeys"][0]["reference"] == {"resource": "provinsi", "fields": ["kode_provinsi"]}
    provinces = package.get_resource("provinsi").read_rows()
    assert [(p["kode_provinsi"], p["nama_provinsi"]) for p in provinces] == [
        ("12", "Sumatera Utara"),
        ("13", "Sumatera Barat"),
    ]


def test_the_schema_refuses_a_bps_code_in_the_kemendagri_column_and_an_unknown_province(finalised, tmp_path):
    _, client = finalised
    save_package(client, tmp_path / "paket")
    target = tmp_path / "paket" / "results.csv"
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[2][:3] == ["2023", "12.01", "1204"] and rows[4][1] == "12.71"
    rows[2][1] = "1201"  # Tapanuli Tengah's code written the BPS way
    rows[4][5] = "19"  # Kota Medan under a province the package does not list
    with target.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)

    report = frictionless.validate(str(tmp_path / "paket" / "datapackage.json"))
    errors = {(error[0], error[1]) for error in report.flatten(["type", "fieldName"])}
    assert ("constraint-error", "kode_wilayah") in errors
    assert ("foreign-key", None) in errors


def test_the_metadata_is_indonesian_with_the_licence_publisher_and_wib_dates(finalised, tmp_path):
    _, client = finalised
    descriptor = client.get("/cohorts/2023/datapackage.json").get_json()

    assert descriptor["licenses"] == [
        {"name": "CC-BY-4.0", "path": CC_BY, "title": "Creative Commons Atribusi 4.0 Internasional"}
    ]
    assert descriptor["resources"][0]["licenses"] == descriptor["licenses"]
    [publisher] = descriptor["contributors"]
    assert publisher["role"] == "publisher"
    assert publisher["title"] == "Direktorat Jenderal Aplikasi Informatika, Kementerian Komunikasi dan Informatika"
    assert descriptor["language"] == "id"
    assert descriptor["temporal"] == {"start": START, "end": END, "timezone": "Asia/Jakarta"}
    assert descriptor["created"].endswith("+07:00")
    assert "1 Juni 2022" in descriptor["description"] and "31 Oktober 2022" in descriptor["description"]
    assert not UTC_INSTANT.search(json.dumps(descriptor))
    assert english_words(indonesian_texts(descriptor)) == set()
    fields = {f["name"]: f for f in descriptor["resources"][0]["schema"]["fields"]}
    assert fields["nilai_smart_governance"]["title"] == "Nilai Tata kelola pemerintahan cerdas"
    assert fields["kode_wilayah"]["constraints"]["pattern"] == r"\d{2}(\.\d{2})?"
    # The crosswalk's gap is stated, with its size, where a reader of kode_bps looks.
    assert "belum dibundel" in fields["kode_bps"]["description"]
    assert "4 dari 5 wilayah" in descriptor["description"]


def test_dcat_metadata_for_a_ckan_portal(finalised):
    _, client = finalised
    response = client.get("/cohorts/2023/dcat.json")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    dataset = response.get_json()

    assert dataset["@type"] == "dcat:Dataset"
    assert dataset["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    assert dataset["@context"]["dct"] == "http://purl.org/dc/terms/"
    assert dataset["dct:license"]["@id"] == CC_BY and dataset["dct:license"]["dct:identifier"] == "CC-BY-4.0"
    assert dataset["dct:publisher"]["foaf:name"]["@value"].startswith("Direktorat Jenderal Aplikasi Informatika")
    assert dataset["dct:temporal"]["dcat:startDate"] == {"@value": START, "@type": "xsd:date"}
    assert dataset["dct:temporal"]["dcat:endDate"] == {"@value": END, "@type": "xsd:date"}
    assert dataset["dct:language"] == "id"
    assert dataset["dct:issued"]["@value"].endswith("+07:00")
    assert not UTC_INSTANT.search(response.get_data(as_text=True))
    tagged = [dataset["dct:title"], dataset["dct:description"], *dataset["dcat:keyword"]]
    for distribution in dataset["dcat:distribution"]:
        tagged += [distribution["dct:title"], distribution["dct:description"]]
        assert distribution["dct:license"]["@id"] == CC_BY
    assert {text["@language"] for text in tagged} == {"id"}
    assert english_words([text["@value"] for text in tagged]) == set()

    csv_, package = dataset["dcat:distribution"]
    assert csv_["dcat:downloadURL"]["@id"] == "http://localhost/cohorts/2023/results.csv"
    assert csv_["dcat:mediaType"]["@id"].endswith("/text/csv")
    assert csv_["dct:conformsTo"]["@id"] == package["dcat:downloadURL"]["@id"]
    for distribution in (csv_, package):
        assert client.get(distribution["dcat:downloadURL"]["@id"]).status_code == 200


def test_results_json_and_csv_keep_their_shape_and_point_to_the_package(finalised):
    _, client = finalised
    response = client.get("/cohorts/2023/results.json")
    body = ResultsOut.model_validate(response.get_json()).model_dump(mode="json")
    assert response.headers["Link"] == '</cohorts/2023/datapackage.json>; rel="describedby"; type="application/json"'
    metadata = body["metadata"]
    assert metadata["licence"] == "CC-BY-4.0" and metadata["language"] == "id"
    assert response.get_json()["metadata"]["period"]["start"] == "2022-06-01T00:00:00+07:00"
    texts = [metadata["title"], metadata["description"], *(c["description"] for c in metadata["columns"])]
    assert english_words(texts) == set()

    as_csv = client.get("/cohorts/2023/results.csv")
    assert as_csv.headers["Link"] == response.headers["Link"]
    header = next(csv.reader(io.StringIO(as_csv.get_data(as_text=True))))
    assert header == [c["name"] for c in metadata["columns"]]
    assert header[:4] == ["tahun", "kode_wilayah", "kode_bps", "nama_wilayah"]


def test_nothing_is_published_before_the_cohort_is_finalised(make_runtime, clock):
    runtime = make_runtime("assessment")
    client = create_app(runtime).test_client()
    clock.set(DURING_WINDOW)
    import_register(runtime)
    open_cohort(client, 2023)
    for path in ("datapackage.json", "dcat.json", "results.json", "results.csv"):
        assert is_problem(client.get(f"/cohorts/2023/{path}"), 409)["rule"] == "cohort_finalized"
    is_problem(client.get("/cohorts/2031/datapackage.json"), 404)


def test_the_cli_writes_a_package_folder_that_frictionless_accepts(finalised, tmp_path, capsys):
    _, client = finalised
    folder = tmp_path / "ekspor"
    assert main(["cohorts", "export", "2023", "--format", "datapackage", "--output", str(folder)]) == 0
    assert "wrote 5 rows" in capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == ["datapackage.json", "results.csv"]
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    # The same package as the API's, byte for byte in its data.
    served = client.get("/cohorts/2023/datapackage.json").get_json()
    assert json.loads((folder / "datapackage.json").read_text("utf-8")) == served
    assert (folder / "results.csv").read_bytes() == client.get("/cohorts/2023/results.csv").data


def test_the_metadata_says_when_every_bps_code_is_filled(finalised):
    runtime, _ = finalised
    # Stands for a complete crosswalk: the rows' regions as BPS's bridging table pairs them.
    complete = {"12": "12", "12.01": "1204", "12.02": "1205", "12.71": "1275", "13": "13", "13.71": "1371"}
    with runtime.uow() as uow:
        published = open_data.publication(uow, 2023, crosswalk=complete)
    assert all(row["kode_bps"] for row in published.rows)
    assert "semua wilayah" in open_data.data_package(published)["description"]


def test_the_bundled_crosswalk_loads_and_a_malformed_one_is_refused_by_line(tmp_path):
    assert open_data.bps_codes()["12.01"] == "1204"
    assert open_data.bps_codes(tmp_path / "absent.csv") == {}
    for index, (body, problem) in enumerate(
        (
            ("kode_kemendagri,kode_bps\n12.01,1204\n1201,1204\n", "line 3: '1201' is not a Kemendagri code"),
            ("kode_kemendagri,kode_bps\n12.01,12\n", "line 2: 12.01 and 12 are not the same kind of region"),
            ("kode_kemendagri,kode_bps\n12.01,1204\n12.01,1204\n", "line 3: 12.01 appears twice"),
            ("kemendagri,bps\n", "the header must be kode_kemendagri,kode_bps"),
        )
    ):
        path = tmp_path / f"padanan-{index}.csv"
        path.write_text(body, encoding="utf-8")
        with pytest.raises(ValueError, match=re.escape(problem)):
            open_data.bps_codes(path)
