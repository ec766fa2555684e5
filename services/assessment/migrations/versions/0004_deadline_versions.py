"""count each published deadline's changes, so consumers order its events by version, not by clocks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deadline_versions",
        sa.Column("deadline_id", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("deadline_id", name="pk_deadline_versions"),
    )


def downgrade() -> None:
    op.drop_table("deadline_versions")
