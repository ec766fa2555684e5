"""Alembic environment of the mou database."""

from services.mou.orm import metadata
from shared.migrate import run_env

run_env(metadata)
