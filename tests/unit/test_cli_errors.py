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
