"""Answers kept per process until PostgreSQL says their tables changed: the register and the ranking answer
without a query while nothing changed, and every kind of change reaches every process."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import event, text

from services.assessment.app import create_app
from shared.changes import ChangeFeed, KeptAnswers
from tests.conftest import auth
from tests.integration.test_assessment_api import all_scores, full_answers
from tests.support.assessment import DURING_WINDOW, apply, import_register, open_cohort, score

pytestmark = pytest.mark.usefixtures("redis_client")


def postgres_only(runtime) -> None:  # noqa: ANN001
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("notifications are PostgreSQL's; on SQLite every request reads the database")


@contextmanager
def statements(runtime) -> Iterator[list[str]]:  # noqa: ANN001
    """The SQL a runtime's engine sends while the block runs."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        seen.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(runtime.engine, "before_cursor_execute", record)


def wait_until(condition: Callable[[], bool], what: str, limit: float = 20.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting until {what}"
        time.sleep(0.01)


def listening(runtime) -> bool:  # noqa: ANN001
    return runtime.changes.generation("register") is not None


@pytest.fixture
def two_processes(make_runtime, clock):
    """Two runtimes on the same databases, each with its own change feed: two processes of the service."""
    writer = make_runtime("assessment")
    postgres_only(writer)
    reader = make_runtime("assessment")
    clock.set(DURING_WINDOW)
    import_register(writer)
    return writer, create_app(writer).test_client(), reader, create_app(reader).test_client()


def names(client) -> dict[str, str]:  # noqa: ANN001
    return {r["code"]: r["name"] for r in client.get("/regions", headers=auth("operator")).get_json()["items"]}


def test_a_kept_register_answers_without_a_query_until_another_process_changes_it(two_processes):
    writer, writer_client, reader, reader_client = two_processes
    wait_until(lambda: listening(reader), "the reader listens")
    before = names(reader_client)
    with statements(reader) as sent:
        for _ in range(5):
            assert names(reader_client) == before
    assert sent == []  # answered from memory: not even the revision was asked

    generation = reader.changes.generation("register")
    renamed = {"code": "12.01", "name": "Kabupaten Tapanuli Tengah Baru", "kind": "kabupaten", "province_code": "12"}
    created = writer_client.post("/regions", headers=auth("operator"), json={**renamed, "timezone": "Asia/Jakarta"})
    assert created.status_code == 201
    # The writer's own next read is current at once; the other process's once PostgreSQL's notice lands.
    assert names(writer_client)["12.01"] == renamed["name"]
    wait_until(lambda: reader.changes.generation("register") != generation, "the reader hears of the change")
    assert names(reader_client)["12.01"] == renamed["name"]


def test_a_change_made_outside_the_service_reaches_the_kept_answers_too(two_processes, database_urls):
    _, _, reader, reader_client = two_processes
    wait_until(lambda: listening(reader), "the reader listens")
    assert names(reader_client)["12.01"] == "Kabupaten Tapanuli Tengah"
    generation = reader.changes.generation("register")
    # An operator's repair in psql goes round the service, not round the trigger.
    with psycopg.connect(database_urls["assessment"], autocommit=True) as connection:
        connection.execute("UPDATE regions SET name = 'Kabupaten Tapteng' WHERE code = '12.01'")
    wait_until(lambda: reader.changes.generation("register") != generation, "the reader hears of the repair")
    assert names(reader_client)["12.01"] == "Kabupaten Tapteng"


def test_the_kept_ranking_follows_new_scores_from_another_process(two_processes):
    writer, writer_client, reader, reader_client = two_processes
    wait_until(lambda: listening(reader), "the reader listens")
    cohort = open_cohort(writer_client, 2023, provinsi=1, kabkota=2)
    application = apply(writer_client, "12.01", answers=full_answers(cohort))

    def ranking() -> dict:
        answer = reader_client.get("/cohorts/2023/ranking", headers=auth("operator"))
        assert answer.status_code == 200
        return answer.get_json()

    assert ranking()["unscored"] == ["12.01"]
    with statements(reader) as sent:
        assert ranking()["unscored"] == ["12.01"]
    assert sent == []
    generation = reader.changes.generation("ranking")
    for assessor in ("asesor-1", "asesor-2"):
        score(writer_client, application["id"], all_scores(cohort, 80.0), assessor)
    wait_until(lambda: reader.changes.generation("ranking") != generation, "the reader hears of the scores")
    ranked = ranking()
    assert ranked["unscored"] == [] and ranked["groups"]["kabkota"][0]["region_code"] == "12.01"


def test_a_lost_feed_means_reading_the_database_until_it_listens_again(two_processes, database_urls):
    writer, writer_client, reader, reader_client = two_processes
    wait_until(lambda: listening(reader), "the reader listens")
    names(reader_client)
    with psycopg.connect(database_urls["assessment"], autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = 'cerdas-changes'"
        )
        wait_until(lambda: not listening(reader), "the reader notices its feed is gone")
        # Meanwhile a change lands: with nothing to tell it, the reader asks the database every time.
        admin.execute("UPDATE regions SET name = 'Kabupaten Tapteng' WHERE code = '12.01'")
    with statements(reader) as sent:
        assert names(reader_client)["12.01"] == "Kabupaten Tapteng"
    assert sent  # read, not remembered
    wait_until(lambda: listening(reader), "the reader listens again")
    assert names(reader_client)["12.01"] == "Kabupaten Tapteng"


def test_closing_a_runtime_ends_its_listening_connection(make_runtime, database_urls):
    runtime = make_runtime("assessment")
    postgres_only(runtime)
    wait_until(lambda: listening(runtime), "it listens")
    count = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND application_name = 'cerdas-changes'"
    )
    with psycopg.connect(database_urls["assessment"], autocommit=True) as admin:
        listeners = admin.execute(count).fetchone()[0]
        assert listeners >= 1
        runtime.close()
        assert runtime.changes.generation("register") is None
        wait_until(lambda: admin.execute(count).fetchone()[0] == listeners - 1, "its connection is closed")


def test_sqlite_has_no_feed_and_every_answer_is_built(tmp_path):
    from sqlalchemy import create_engine

    assert ChangeFeed.for_engine(create_engine(f"sqlite:///{tmp_path / 'x.db'}")) is None
    built = []
    kept = KeptAnswers(None, "register")
    for _ in range(3):
        kept.get("all", lambda: built.append(1) or len(built))
    assert built == [1, 1, 1]


def test_an_answer_built_while_a_change_lands_is_not_kept_as_current(make_runtime):
    runtime = make_runtime("assessment")
    postgres_only(runtime)
    feed = runtime.changes
    wait_until(lambda: listening(runtime), "it listens")
    kept = KeptAnswers(feed, "register")
    versions = iter(["old", "new", "newer"])

    def build_while_changing() -> str:
        answer = next(versions)
        with runtime.session_factory() as session:  # a commit by this process, as another request's would be
            session.execute(text("UPDATE regions SET name = name"))
            session.commit()
        return answer

    # Built from data a commit may already have overtaken: answered once, never served again as current.
    assert kept.get("all", build_while_changing) == "old"
    assert kept.get("all", lambda: "fresh") == "fresh"
    assert kept.get("all", lambda: "unused") == "fresh"


def test_a_feed_that_cannot_hear_its_own_probe_is_never_trusted(make_runtime, monkeypatch):
    """A pooler in transaction mode runs LISTEN on one server connection and later statements on others,
    so nothing comes back: the feed must notice by itself, not look live and silent forever."""
    from shared import changes

    runtime = make_runtime("assessment")
    postgres_only(runtime)
    monkeypatch.setattr(changes, "PROBE_TIMEOUT_SECONDS", 0.2)
    monkeypatch.setattr(changes, "RETRY_SECONDS", 0.05)
    connects = []
    real = ChangeFeed.for_engine(runtime.engine)

    def connect() -> psycopg.Connection:
        connects.append(1)
        return real._connect()

    class Deaf(ChangeFeed):
        def _probe(self, connection, probe):  # noqa: ANN001, ANN202 (the probe goes where no one listens)
            sent_at = time.monotonic()
            connection.execute("SELECT pg_notify('cerdas_elsewhere', %s)", (probe,))
            return sent_at

    deaf = Deaf(connect)
    seen = set()

    def reconnected_twice() -> bool:
        seen.add(deaf.generation("register"))
        return len(connects) >= 3

    try:
        wait_until(reconnected_twice, "the deaf feed gave up its connection twice")
        assert seen == {None}
    finally:
        deaf.close()
