"""Alembic environment of the mentoring database."""

from services.mentoring.orm import metadata
from shared.migrate import run_env

run_env(metadata)
