"""order deadline events by their publisher's version, and remind sessions and ceremonies the day before

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        # Rows applied before producers counted their changes keep no version: the timestamp rule orders them.
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reminders", sa.String(length=12), nullable=False, server_default="standard"))


def downgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_column("reminders")
        batch_op.drop_column("version")
