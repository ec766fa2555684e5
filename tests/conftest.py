"""Fixtures shared by every test tier: real PostgreSQL, Redis and SMTP where the machine has them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis

from shared.auth import mint_token
from shared.clock import FixedClock
from shared.config import SERVICES, Settings, load_settings
from shared.migrate import upgrade
from tests.support import infra
from tests.support.smtp import smtp_server  # noqa: F401 (a fixture)

SECRET = "test-secret-for-cerdas-which-is-long-enough"


def pytest_report_header(config: pytest.Config) -> list[str]:
    pg = infra.postgres_admin_url()
    rd = infra.redis_url_or_none()
    return [
        f"cerdas: PostgreSQL {'at ' + pg if pg else 'not found: SQLite files'}",
        f"cerdas: Redis {'at ' + rd if rd else 'a redis-server of this run alone, on a free port'}",
    ]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = infra.redis_url_or_none()
    if url is not None:
        yield url
        return
    server = infra.EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One migrated database per service for the whole run; tests start from empty tables."""
    admin = infra.postgres_admin_url()
    if admin is None:
        urls = infra.sqlite_urls(tmp_path_factory.mktemp("sqlite"))
        databases = None
    else:
        databases = infra.PostgresDatabases(admin, infra.unique_prefix("it"))
        urls = databases.create()
    for service, url in urls.items():
        upgrade(service, url)
    try:
        yield urls
    finally:
        if databases is not None:
            databases.drop()


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def settings(database_urls: dict[str, str], redis_url: str, tmp_path: Path, redis_client: redis.Redis) -> Settings:
    return load_settings(infra.test_env(database_urls, redis_url, tmp_path))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2023, 2, 28, 3, 0, tzinfo=UTC))


@pytest.fixture
def make_runtime(settings: Settings, clock: FixedClock) -> Iterator:
    """Build a service runtime on the test databases, with emptied tables and the test clock."""
    import importlib

    built = []

    def factory(service: str, **overrides: object):  # noqa: ANN202
        assert service in SERVICES
        module = importlib.import_module(f"services.{service}.app")
        overrides.setdefault("clock", clock)
        runtime = module.bootstrap(settings, **overrides)
        infra.empty_tables(runtime.engine, runtime.metadata)
        built.append(runtime)
        return runtime

    yield factory
    for runtime in built:
        runtime.close()


def token(role: str, region: str | None = None, sub: str | None = None, now: datetime | None = None) -> str:
    return mint_token(SECRET, sub=sub or f"test-{role}", role=role, region=region, now=now or datetime.now(UTC))


def auth(role: str, region: str | None = None, sub: str | None = None, now: datetime | None = None) -> dict:
    return {"Authorization": f"Bearer {token(role, region, sub, now)}"}
