"""who is invited to and attends a ceremony, both parties' numbers, signatories' titles, appointments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agreements") as batch:
        batch.add_column(sa.Column("invited", JSONType, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("appointments", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("region_number", sa.String(120), nullable=True))
        batch.add_column(sa.Column("ministry_number", sa.String(120), nullable=True))
        batch.add_column(sa.Column("attendees", JSONType, nullable=False, server_default="[]"))
    with op.batch_alter_table("signatories") as batch:
        batch.add_column(sa.Column("title", sa.String(80), nullable=True))
    # Agreements already scheduled count their appointment, so the next invitation replaces it.
    op.execute("UPDATE agreements SET appointments = 1 WHERE scheduled_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("signatories") as batch:
        batch.drop_column("title")
    with op.batch_alter_table("agreements") as batch:
        for column in ("attendees", "ministry_number", "region_number", "appointments", "invited"):
            batch.drop_column(column)
