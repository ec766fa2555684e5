"""Each service's Alembic history builds exactly the schema its models describe, on both databases."""

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shared.config import SERVICES
from shared.db import make_engine
from shared.migrate import downgrade, upgrade


@pytest.mark.parametrize("service", SERVICES)
def test_migrated_database_matches_the_models(service, database_urls):
    metadata = importlib.import_module(f"services.{service}.orm").metadata
    engine = make_engine(database_urls[service])
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)
    engine.dispose()
    assert diff == []


@pytest.mark.parametrize("service", SERVICES)
def test_sqlite_migrates_up_and_down(service, tmp_path):
    url = f"sqlite:///{tmp_path / (service + '.db')}"
    upgrade(service, url)
    downgrade(service, url, "base")
    upgrade(service, url)
    metadata = importlib.import_module(f"services.{service}.orm").metadata
    engine = make_engine(url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert diff == []
