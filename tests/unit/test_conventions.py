"""The use-case convention (docs/decisions/0005) holds in every service, checked from the source."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from shared.registry import SERVICE_NAMES

# The console has no queue, so it is not in the registry, but its accounts, feeds and audit are use cases too.
WITH_USE_CASES = (*SERVICE_NAMES, "console")

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN_IN_HANDLERS = ("flask", "flask_openapi3", "pydantic", "werkzeug")
FORBIDDEN_IN_DOMAIN = ("flask", "flask_openapi3", "sqlalchemy", "celery", "redis", "requests")
MAX_LINES = 300


def _modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "migrations" not in p.parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("service", WITH_USE_CASES)
def test_handlers_never_commit_and_know_no_web_layer(service):
    handlers = ROOT / "services" / service / "handlers"
    assert handlers.is_dir(), f"{service} keeps its use cases in a handlers/ package"
    for path in _modules(handlers):
        text = path.read_text("utf-8")
        assert not re.search(r"\bcommit\(", text), f"{path.relative_to(ROOT)} commits; its entrypoint must"
        assert not re.search(r"\.rollback\(", text), f"{path.relative_to(ROOT)} rolls back; raise instead"
        for name in _imports(path):
            top = name.split(".")[0]
            assert top not in FORBIDDEN_IN_HANDLERS, f"{path.relative_to(ROOT)} imports {name}"
            assert name != f"services.{service}.schemas", f"{path.relative_to(ROOT)} imports the API's schemas"


@pytest.mark.parametrize("service", WITH_USE_CASES)
def test_each_service_has_commands_as_frozen_dataclasses(service):
    path = ROOT / "services" / service / "commands.py"
    assert path.is_file(), f"{service} has no commands.py"
    tree = ast.parse(path.read_text("utf-8"))
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    assert classes, f"{path} defines no command"
    for node in classes:
        frozen = any(
            isinstance(d, ast.Call)
            and getattr(d.func, "id", None) == "dataclass"
            and any(k.arg == "frozen" and getattr(k.value, "value", False) for k in d.keywords)
            for d in node.decorator_list
        )
        assert frozen, f"command {node.name} in {path.relative_to(ROOT)} is not a frozen dataclass"
    assert not any(name.split(".")[0] == "pydantic" for name in _imports(path))


@pytest.mark.parametrize("service", WITH_USE_CASES)
def test_the_domain_imports_no_framework(service):
    folder = ROOT / "services" / service
    paths = [folder / "domain.py"] if (folder / "domain.py").exists() else _modules(folder / "domain")
    for path in paths:
        for name in _imports(path):
            assert name.split(".")[0] not in FORBIDDEN_IN_DOMAIN, f"{path.relative_to(ROOT)} imports {name}"


def test_no_module_outgrows_three_hundred_lines():
    too_long = []
    for folder in (ROOT / "services", ROOT / "shared"):
        for path in _modules(folder):
            lines = len(path.read_text("utf-8").splitlines())
            if lines > MAX_LINES:
                too_long.append(f"{path.relative_to(ROOT)}: {lines}")
    assert not too_long, "split these into packages: " + ", ".join(too_long)


def test_unit_tests_start_no_process():
    """tests/unit runs on fakes and in-memory databases only; whatever starts a process belongs in
    tests/integration or tests/e2e."""
    starters = re.compile(r"\bimport subprocess\b|\bPopen\(|\bstart_worker\(|\bsubprocess\.run\(")
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "tests" / "unit").rglob("*.py"))
        if starters.search(path.read_text("utf-8"))
    ]
    assert offenders == []
