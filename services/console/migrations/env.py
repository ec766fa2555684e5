"""Alembic environment of the console database."""

from services.console.orm import metadata
from shared.migrate import run_env

run_env(metadata)
