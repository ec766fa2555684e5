"""The cerdas command answers operator mistakes with a sentence, not a traceback."""

import io
import sys

from services.cli import main


def test_a_database_without_schema_says_to_migrate(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name in ("CERDAS_VAR_DIR", "CERDAS_ASSESSMENT_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    assert main(["cohorts", "show", "2027"]) == 2
    err = capsys.readouterr().err
    assert "no Cerdas schema yet" in err and "cerdas migrate" in err and str(tmp_path / "var") in err


def test_a_closed_pipe_ends_quietly(monkeypatch):
    class ClosedPipe(io.StringIO):
        def write(self, _text):
            raise BrokenPipeError

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert main(["token", "--role", "operator"]) == 0


def test_an_unusable_rubric_file_is_named_not_a_traceback(tmp_path, capsys):
    window = [
        "--applications-open",
        "2030-01-01",
        "--applications-close",
        "2030-02-01",
        "--assessment-due",
        "2030-03-01",
    ]
    (tmp_path / "no-criteria.json").write_text('{"kriteria": []}', encoding="utf-8")
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    for name, says in (
        ("missing.json", "cannot read"),
        ("broken.json", "not valid JSON"),
        ("no-criteria.json", "criteria"),
    ):
        path = str(tmp_path / name)
        create = ["cohorts", "create", "--year", "2030", "--quota-provinsi", "1", "--quota-kabkota", "1", *window]
        assert main([*create, "--rubric", path]) == 2
        err = capsys.readouterr().err
        assert err.startswith("cerdas: ") and says in err and path in err and "Traceback" not in err
