"""the cohort's audit trail: who opened, changed and selected it, and why a selection was forced

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType, UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_trail",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("cohort_year", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("details", JSONType, nullable=False),
        sa.Column("correlation_id", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(["cohort_year"], ["cohorts.year"], name="fk_audit_trail_cohort_year_cohorts"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_trail"),
    )
    op.create_index("ix_audit_trail_cohort_year", "audit_trail", ["cohort_year"])


def downgrade() -> None:
    op.drop_index("ix_audit_trail_cohort_year", table_name="audit_trail")
    op.drop_table("audit_trail")
