"""The hashed locks are in step with pyproject.toml, and they are what `make venv`, CI and the image install."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_LOCK = ROOT / "requirements" / "runtime.lock"
DEV_LOCK = ROOT / "requirements" / "dev.lock"
BUILD_IN = ROOT / "requirements" / "build.in"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _pins(lock: Path) -> dict[str, list[tuple[Version, int]]]:
    """name -> [(version, number of hashes)], one per line (a universal lock may pin per platform)."""
    pins: dict[str, list[tuple[Version, int]]] = {}
    entries = re.split(r"\n(?=[A-Za-z0-9])", lock.read_text())
    for entry in entries:
        match = re.match(r"([A-Za-z0-9._-]+)==([^\s;\\]+)", entry)
        if match:
            pins.setdefault(canonicalize_name(match.group(1)), []).append(
                (Version(match.group(2)), entry.count("--hash=sha256:"))
            )
    return pins


def _requirements(lines: list[str]) -> list[Requirement]:
    return [Requirement(line) for line in lines if line.strip() and not line.strip().startswith("#")]


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        (RUNTIME_LOCK, PROJECT["project"]["dependencies"] + BUILD_IN.read_text().splitlines()),
        (DEV_LOCK, PROJECT["project"]["dependencies"] + PROJECT["project"]["optional-dependencies"]["dev"]),
    ],
    ids=["runtime", "dev"],
)
def test_every_declared_dependency_is_pinned_within_its_range_with_hashes(lock, requirements):
    pins = _pins(lock)
    stale = []
    for requirement in _requirements(requirements):
        name = canonicalize_name(requirement.name)
        if name not in pins:
            stale.append(f"{requirement} is not in {lock.name}")
            continue
        for version, hashes in pins[name]:
            if not requirement.specifier.contains(version, prereleases=True):
                stale.append(f"{lock.name} pins {name}=={version}, outside {requirement}")
            assert hashes > 0, f"{name} has no hash in {lock.name}"
    assert not stale, "run `make lock`:\n" + "\n".join(stale)


def test_every_pin_carries_hashes_and_both_locks_agree():
    runtime, dev = _pins(RUNTIME_LOCK), _pins(DEV_LOCK)
    for lock, pins in ((RUNTIME_LOCK, runtime), (DEV_LOCK, dev)):
        for name, versions in pins.items():
            assert all(hashes > 0 for _, hashes in versions), f"{name} in {lock.name} has no hash"
    for name, versions in runtime.items():
        assert sorted(versions) == sorted(dev.get(name, [])), f"{name}: the dev lock differs from the runtime lock"


def test_the_lock_tools_stay_out_of_the_runtime_lock():
    runtime = _pins(RUNTIME_LOCK)
    for tool in ("uv", "pip-tools", "pytest", "ruff", "kubernetes-validate"):
        assert tool not in runtime, f"{tool} would enter the image"


def test_make_venv_installs_the_lock_with_pip_and_reinstalls_when_it_changes():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^\$\(STAMP\): \$\(DEV_LOCK\)", makefile, re.M), "the stamp must depend on the lock"
    assert "pip install --quiet --require-hashes -r $(DEV_LOCK)" in makefile
    assert "pip install --quiet --no-deps --no-build-isolation -e ." in makefile
    assert re.search(r"^test: venv$", makefile, re.M), "make test (and so CI) installs through make venv"
    assert re.search(r"^lock:", makefile, re.M) and "--generate-hashes" in makefile
