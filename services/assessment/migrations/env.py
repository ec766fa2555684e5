"""Alembic environment of the assessment database."""

from services.assessment.orm import metadata
from shared.migrate import run_env

run_env(metadata)
