"""`cerdas regions import` and `cerdas cohorts ...` against the test database, as an operator runs them."""

from __future__ import annotations

import json

import pytest

from services.assessment import repository, views
from services.assessment.app import create_app
from services.cli import main
from tests.conftest import auth
from tests.support import infra
from tests.support.assessment import DURING_WINDOW, apply, score


@pytest.fixture
def cli_env(make_runtime, database_urls, redis_url, tmp_path, monkeypatch):
    runtime = make_runtime("assessment")
    env = infra.test_env(database_urls, redis_url, tmp_path, CERDAS_CLOCK_START="2022-08-01T03:00:00Z")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return runtime


def test_regions_import_loads_the_bundled_register_with_progress(cli_env, capsys):
    assert main(["regions", "import"]) == 0
    out, err = capsys.readouterr()
    assert "read 552 regions" in err and "checked 552/552" in err
    assert "552 created" in out
    assert main(["regions", "import"]) == 0
    assert "552 unchanged" in capsys.readouterr().out
    with cli_env.uow() as uow:
        assert len(views.list_regions(uow, "provinsi", None, None)) == 38
        assert repository.get_region(uow, "12.01").name == "Kabupaten Tapanuli Tengah"


def test_regions_import_refuses_a_bad_file_whole(cli_env, tmp_path, capsys):
    bad = tmp_path / "regions.csv"
    bad.write_text(
        "code,name,kind,province_code,timezone\n"
        "12,Sumatera Utara,provinsi,,Asia/Jakarta\n"
        "1201,Kabupaten Tapanuli Tengah,kabupaten,12,Asia/Jakarta\n"
    )
    assert main(["regions", "import", str(bad)]) == 1
    assert "1201" in capsys.readouterr().err
    with cli_env.uow() as uow:
        assert views.list_regions(uow, None, None, None) == []


def test_a_round_from_the_command_line(cli_env, clock, capsys, tmp_path):
    assert main(["regions", "import"]) == 0
    created = main(
        [
            "cohorts",
            "create",
            "--year",
            "2023",
            "--quota-provinsi",
            "0",
            "--quota-kabkota",
            "1",
            "--applications-open",
            "2022-06-01",
            "--applications-close",
            "2022-07-31",
            "--assessment-due",
            "2022-10-31",
        ]
    )
    assert created == 0
    client = create_app(cli_env).test_client()
    clock.set(DURING_WINDOW)
    cohort = client.get("/cohorts/2023", headers=auth("operator")).get_json()
    assert cohort["applications_close_at"].startswith("2022-07-31T16:59:59")  # end of the day in WIB
    first, second = apply(client, "12.01"), apply(client, "12.71")
    score(client, first["id"], {c["key"]: 90 for c in cohort["rubric"]})
    capsys.readouterr()

    assert main(["cohorts", "select", "2023"]) == 1
    assert "12.71" in capsys.readouterr().err
    score(client, second["id"], {c["key"]: 50 for c in cohort["rubric"]})
    assert main(["cohorts", "select", "2023"]) == 0
    table = capsys.readouterr().out
    assert " *   1" in table and "12.01" in table
    assert main(["cohorts", "select", "2023"]) == 0  # idempotent

    target = tmp_path / "hasil.json"
    assert main(["cohorts", "export", "2023", "--format", "json", "--output", str(target)]) == 0
    exported = json.loads(target.read_text("utf-8"))
    assert [r["status_seleksi"] for r in exported["data"]] == ["terpilih", "tidak terpilih"]
