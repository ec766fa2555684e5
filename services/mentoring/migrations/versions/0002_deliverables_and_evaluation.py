"""plan templates per cohort, mentors, deliverables and their review, evaluation (monev)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evaluation_weights",
        sa.Column("cohort_year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("weights", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("cohort_year", name=op.f("pk_evaluation_weights")),
    )
    op.create_table(
        "plan_templates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("cohort_year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("body", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_templates")),
        sa.UniqueConstraint("cohort_year", "version", name="uq_plan_templates_cohort_version"),
    )
    with op.batch_alter_table("plan_templates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_templates_cohort_year"), ["cohort_year"], unique=False)

    op.create_table(
        "evaluations",
        sa.Column("programme_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("self_assessment", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=120), nullable=False),
        sa.Column("confirmed_scores", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("weights", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("achievement_index", sa.Float(), nullable=True),
        sa.Column("assessor_comments", sa.Text(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_evaluations_programme_id_programmes")
        ),
        sa.PrimaryKeyConstraint("programme_id", name=op.f("pk_evaluations")),
    )
    op.create_table(
        "programme_mentors",
        sa.Column("programme_id", sa.String(length=36), nullable=False),
        sa.Column("mentor", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_programme_mentors_programme_id_programmes")
        ),
        sa.PrimaryKeyConstraint("programme_id", "mentor", name=op.f("pk_programme_mentors")),
    )
    with op.batch_alter_table("programme_mentors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_mentors_mentor"), ["mentor"], unique=False)

    op.create_table(
        "submissions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("programme_id", sa.String(length=36), nullable=False),
        sa.Column("milestone_id", sa.String(length=36), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("link", sa.String(length=2000), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("content_type", sa.String(length=120), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(length=120), nullable=True),
        sa.Column("comments", sa.Text(), nullable=True),
        sa.Column("revision_due_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["milestone_id"], ["milestones.id"], name=op.f("fk_submissions_milestone_id_milestones")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_submissions_programme_id_programmes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint("milestone_id", "attempt", name="uq_submissions_milestone_attempt"),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submissions_milestone_id"), ["milestone_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_submissions_programme_id"), ["programme_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submissions_programme_id"))
        batch_op.drop_index(batch_op.f("ix_submissions_milestone_id"))

    op.drop_table("submissions")
    with op.batch_alter_table("programme_mentors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_mentors_mentor"))

    op.drop_table("programme_mentors")
    op.drop_table("evaluations")
    with op.batch_alter_table("plan_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_templates_cohort_year"))

    op.drop_table("plan_templates")
    op.drop_table("evaluation_weights")
