"""Data written before sessions, yearly evaluations and the quick-win register stays readable after the
mentoring database is migrated."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from services.mentoring import views
from services.mentoring.orm import BimtekSession, Evaluation, metadata
from shared.auth import Principal
from shared.clock import FixedClock
from shared.db import make_engine, make_session_factory
from shared.migrate import downgrade, upgrade
from shared.uow import UnitOfWork
from tests.support import infra

AT = datetime(2023, 3, 1, 3, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """A database with nothing in it yet, on SQLite and, where the machine has one, on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mentoring.db'}"
        return
    admin = infra.postgres_admin_url()
    if admin is None:
        pytest.skip("no PostgreSQL on this machine")
    databases = infra.PostgresDatabases(admin, infra.unique_prefix("mig"))
    try:
        yield databases.create()["mentoring"]
    finally:
        databases.drop()


def test_a_programme_of_the_single_evaluation_days_reads_with_its_session_and_its_first_year(empty_database):
    url = empty_database
    upgrade("mentoring", url, "0003")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO programmes (id, agreement_id, cohort_year, region_code, region_name, timezone, signed_on,"
                " template, status, created_at) VALUES ('p-1', 'a-1', 2023, '12.71', 'Kota Medan', 'Asia/Jakarta',"
                " :signed, 'default@1', 'active', :at)"
            ),
            {"signed": date(2023, 2, 28), "at": AT},
        )
        for stage_id, key, title, position, start in (
            ("s-1", "bimtek_1", "Bimtek I", 1, date(2023, 3, 21)),
            ("s-2", "penetapan", "Penetapan Masterplan sebagai Perbup/Perwali", 2, None),
        ):
            connection.execute(
                sa.text(
                    "INSERT INTO stages (id, programme_id, key, title, position, status, session_start, session_end)"
                    " VALUES (:id, 'p-1', :key, :title, :position, 'active', :start, :end)"
                ),
                {"id": stage_id, "key": key, "title": title, "position": position, "start": start, "end": start},
            )
        connection.execute(
            sa.text(
                "INSERT INTO milestones (id, programme_id, stage_id, key, title, kind, due_date, due_at, audience,"
                " status) VALUES ('m-1', 'p-1', 's-2', 'perkada_masterplan', 'Perbup/Perwali tentang Masterplan',"
                " 'regulation', :due, :at, '[\"regional_secretary\"]', 'open'),"
                " ('m-2', 'p-1', 's-1', 'buku_1', 'Buku I', 'book', :due, :at, '[\"kominfo_head\", \"bappeda_head\"]',"
                " 'open')"
            ),
            {"due": date(2023, 9, 26), "at": AT},
        )
        connection.execute(
            sa.text(
                "INSERT INTO evaluations (programme_id, status, self_assessment, submitted_at, submitted_by,"
                " achievement_index) VALUES ('p-1', 'confirmed', '{}', :at, 'kominfo-medan', 71.5)"
            ),
            {"at": AT},
        )
    upgrade("mentoring", url)

    uow = UnitOfWork(
        make_session_factory(engine),
        source="mentoring",
        outbox=metadata.tables["outbox"],
        inbox=metadata.tables["inbox"],
        clock=FixedClock(AT),
        relay=None,
    )
    with uow:
        [evaluation] = uow.session.scalars(sa.select(Evaluation))
        assert (evaluation.programme_id, evaluation.year, evaluation.achievement_index) == ("p-1", 2023, 71.5)
        [session] = uow.session.scalars(sa.select(BimtekSession))
        assert (session.stage_id, session.starts_on, session.sequence) == ("s-1", date(2023, 3, 21), 0)
        assert session.audience == ["kominfo_head", "bappeda_head"]
        view = views.programme_view(uow, views.get_programme(uow, "p-1"))
        assert view["stages"][0]["session_start"] == "2023-03-21" and view["stages"][1]["session"] is None
        # A kota's Masterplan is enacted by a Perwali.
        assert view["stages"][1]["title"] == "Penetapan Masterplan sebagai Perwali"
        assert view["stages"][1]["milestones"][0]["title"] == "Perwali tentang Masterplan"
        assert view["evaluations"] == [{"year": 2023, "status": "confirmed", "achievement_index": 71.5}]
        operator = Principal(sub="op", role="operator")
        assert views.evaluation_view(uow, "p-1", operator)["achievement_index"] == 71.5

    downgrade("mentoring", url, "0003")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT session_start FROM stages WHERE id = 's-1'")).scalar_one() in (
            "2023-03-21",
            date(2023, 3, 21),
        )
        assert connection.execute(sa.text("SELECT count(*) FROM evaluations")).scalar_one() == 1
    engine.dispose()
