"""Alembic environment of the notifications database."""

from services.notifications.orm import metadata
from shared.migrate import run_env

run_env(metadata)
