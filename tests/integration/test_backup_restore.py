"""The backup procedures of docs/operations.md work: a pg_dump restored into a fresh database serves the same
data, and a copy of Redis's append-only files brings back the queues."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
import redis

from services.assessment.app import bootstrap, create_app
from shared.config import load_settings
from shared.migrate import upgrade
from tests.conftest import auth
from tests.support import infra
from tests.support.assessment import import_register
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
# Exactly the commands docs/operations.md gives.
DUMP = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges"]
RESTORE = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"]
OFFICIALS = {
    "officials": [
        {
            "role": "head_of_region",
            "name": "Elfin Ilyas Nainggolan",
            "title": "S.STP., M.Si.",
            "acting": "Pj",
            "position": "Bupati Tapanuli Tengah",
            "email": "bupati@tapteng.example",
        },
        {
            "role": "kominfo_head",
            "name": "Fachrul Rozi",
            "title": "S.Kom.",
            "position": "Kepala Dinas Kominfo",
            "email": "kominfo@tapteng.example",
        },
    ]
}


def test_the_procedures_are_the_documented_ones():
    guide = (ROOT / "docs" / "operations.md").read_text()
    assert " ".join(DUMP) in guide and " ".join(RESTORE) in guide


@pytest.mark.skipif(not (shutil.which("pg_dump") and shutil.which("pg_restore")), reason="no PostgreSQL client tools")
@pytest.mark.timeout(180)
def test_a_restored_dump_serves_the_same_data(make_runtime, database_urls, redis_url, tmp_path):
    source = database_urls["assessment"]
    if not source.startswith("postgresql"):
        pytest.skip("the services run on SQLite files here; there is no PostgreSQL to dump")
    runtime = make_runtime("assessment")
    import_register(runtime)
    client = create_app(runtime).test_client()
    assert client.put("/regions/12.01/officials", json=OFFICIALS, headers=auth("operator")).status_code == 200
    before = client.get("/regions/12.01/officials", headers=auth("operator")).json

    dump = tmp_path / "assessment.dump"
    subprocess.run([*DUMP, f"--dbname={source}", f"--file={dump}"], check=True, capture_output=True, timeout=120)
    # A database that never saw Cerdas, as on a new server after a loss.
    fresh = infra.PostgresDatabases(infra.postgres_admin_url(), infra.unique_prefix("restore"))
    restored_url = fresh.create()["assessment"]
    try:
        result = subprocess.run(
            [*RESTORE, f"--dbname={restored_url}", str(dump)], capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        upgrade("assessment", restored_url)  # the restored schema is already current: nothing to do
        env = infra.test_env({**database_urls, "assessment": restored_url}, redis_url, tmp_path)
        restored = bootstrap(load_settings(env))
        try:
            client = create_app(restored).test_client()
            assert client.get("/ready").status_code == 200
            assert client.get("/regions/12.01/officials", headers=auth("operator")).json == before
            assert client.get("/regions?q=Tapanuli", headers=auth("operator")).status_code == 200
        finally:
            restored.engine.dispose()
        with psycopg.connect(restored_url) as connection:
            versions = connection.execute("SELECT count(*) FROM alembic_version").fetchone()
        assert versions == (1,)
    finally:
        fresh.drop()


def _serve(directory: Path) -> tuple[subprocess.Popen, redis.Redis]:
    """A redis-server with the append-only file on, as docker-compose.yml and the overlays run it."""
    port = infra.free_port()
    process = subprocess.Popen(
        [infra.EmbeddedRedis.binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes"]
        + ["--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=5)

    def loaded() -> bool:
        try:
            return client.info("persistence")["loading"] == 0
        except redis.ConnectionError:
            return False

    assert wait_until(loaded, timeout=20), "redis-server did not start"
    return process, client


@pytest.mark.timeout(120)
def test_a_copy_of_the_append_only_files_brings_back_the_queues(tmp_path):
    (tmp_path / "original").mkdir()
    process, client = _serve(tmp_path / "original")
    try:
        client.rpush("notifications", *[f"message-{n}" for n in range(5)])
        client.rpush("cerdas:dead-letters:mou", "parked")
        # The documented backup: rewrite the append-only file, wait until it is done, copy the folder.
        client.bgrewriteaof()

        def rewritten() -> bool:
            persistence = client.info("persistence")
            return not (persistence["aof_rewrite_in_progress"] or persistence["aof_rewrite_scheduled"])

        assert wait_until(rewritten, timeout=30)
        shutil.copytree(tmp_path / "original", tmp_path / "backup")
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=10)

    process, client = _serve(tmp_path / "backup")
    try:
        assert client.llen("notifications") == 5
        assert client.lrange("cerdas:dead-letters:mou", 0, -1) == [b"parked"]
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=10)
