"""Fault tests run on both databases Cerdas supports: the embedded SQLite files and PostgreSQL."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.clock import FixedClock
from shared.config import Settings, load_settings
from shared.migrate import upgrade
from tests.support import infra


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict]]:
    """One migrated database per service on the given backend, for the module's tests."""
    databases = None
    if request.param == "sqlite":
        urls = infra.sqlite_urls(tmp_path_factory.mktemp("faults-sqlite"))
    else:
        admin = infra.postgres_admin_url()
        if admin is None:
            pytest.skip("no PostgreSQL on this machine")
        databases = infra.PostgresDatabases(admin, infra.unique_prefix("faults"))
        urls = databases.create()
    for service, url in urls.items():
        upgrade(service, url)
    try:
        yield request.param, urls
    finally:
        if databases is not None:
            databases.drop()


@pytest.fixture
def backend_settings(backend: tuple[str, dict], redis_url: str, tmp_path: Path, redis_client: Any) -> Settings:
    return load_settings(infra.test_env(backend[1], redis_url, tmp_path))


@pytest.fixture
def service_on_backend(backend_settings: Settings, clock: FixedClock) -> Iterator[Callable[..., Any]]:
    built = []

    def factory(service: str, **overrides: Any) -> Any:
        module = importlib.import_module(f"services.{service}.app")
        overrides.setdefault("clock", clock)
        runtime = module.bootstrap(backend_settings, **overrides)
        infra.empty_tables(runtime.engine, runtime.metadata)
        built.append(runtime)
        return runtime

    yield factory
    for runtime in built:
        runtime.engine.dispose()


def at_once(*calls: Callable[[], Any], timeout: float = 60) -> list[Any]:
    """Run the calls in threads released together; their results (or exceptions) in call order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        barrier.wait(timeout=timeout)
        try:
            results[index] = call()
        except BaseException as exc:  # noqa: BLE001 (reported to the test as a result)
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a concurrent request never finished"
    return results
