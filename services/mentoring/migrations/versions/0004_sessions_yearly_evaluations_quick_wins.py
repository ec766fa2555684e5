"""Bimtek sessions in their own table, one evaluation per programme and year, the quick-win register, and
the regulation named per region in running programmes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import uuid

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.db import UTCDateTime
from shared.regions import regulation_of

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("programme_id", sa.String(length=36), nullable=False),
        sa.Column("stage_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("audience", JSON, nullable=False),
        sa.Column("venue", sa.String(length=300), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.Column("updated_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(["programme_id"], ["programmes.id"], name=op.f("fk_sessions_programme_id_programmes")),
        sa.ForeignKeyConstraint(["stage_id"], ["stages.id"], name=op.f("fk_sessions_stage_id_stages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("stage_id", name=op.f("uq_sessions_stage_id")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_programme_id"), ["programme_id"], unique=False)
    _move_sessions_out_of_stages()
    # Not in batch mode: SQLite would copy and drop the stages table, which milestones and sessions refer
    # to, and a programme's rows would break the foreign keys. SQLite drops a plain column itself (3.35+).
    op.drop_column("stages", "session_start")
    op.drop_column("stages", "session_end")

    # Every evaluation so far was the programme's one: it becomes its first year's, the cohort's year.
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("year", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE evaluations SET year = "
        "(SELECT programmes.cohort_year FROM programmes WHERE programmes.id = evaluations.programme_id)"
    )
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.alter_column("year", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("pk_evaluations", type_="primary")
        batch_op.create_primary_key("pk_evaluations", ["programme_id", "year"])

    op.create_table(
        "quick_wins",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("programme_id", sa.String(length=36), nullable=False),
        sa.Column("dimension", sa.String(length=20), nullable=False),
        sa.Column("what", sa.String(length=500), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_quick_wins_programme_id_programmes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quick_wins")),
    )
    with op.batch_alter_table("quick_wins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quick_wins_programme_id"), ["programme_id"], unique=False)

    _name_regulations()


def _move_sessions_out_of_stages() -> None:
    """Each stage's session days become a session row, inviting everyone its milestones address."""
    bind = op.get_bind()
    # Typed columns, so SQLite's stored text comes back as dates and JSON.
    stage_rows = sa.table(
        "stages",
        sa.column("id", sa.String),
        sa.column("programme_id", sa.String),
        sa.column("title", sa.String),
        sa.column("session_start", sa.Date),
        sa.column("session_end", sa.Date),
    )
    stages = bind.execute(
        sa.select(
            stage_rows.c.id,
            stage_rows.c.programme_id,
            stage_rows.c.title,
            stage_rows.c.session_start,
            stage_rows.c.session_end,
        ).where(stage_rows.c.session_start.is_not(None))
    ).all()
    sessions = sa.table(
        "sessions",
        sa.column("id", sa.String),
        sa.column("programme_id", sa.String),
        sa.column("stage_id", sa.String),
        sa.column("title", sa.String),
        sa.column("starts_on", sa.Date),
        sa.column("ends_on", sa.Date),
        sa.column("audience", JSON),
        sa.column("sequence", sa.Integer),
    )
    milestones = sa.table("milestones", sa.column("stage_id", sa.String), sa.column("audience", JSON))
    for stage_id, programme_id, title, start, end in stages:
        invited: dict[str, None] = {}
        for (audience,) in bind.execute(sa.select(milestones.c.audience).where(milestones.c.stage_id == stage_id)):
            invited.update(dict.fromkeys(audience or []))
        bind.execute(
            sessions.insert().values(
                id=str(uuid.uuid4()),
                programme_id=programme_id,
                stage_id=stage_id,
                title=title,
                starts_on=start,
                ends_on=end or start,
                audience=list(invited) or ["kominfo_head"],
                sequence=0,
            )
        )


def _name_regulations() -> None:
    """Running programmes were planned with 'Perbup/Perwali' for every region; name each region's own."""
    bind = op.get_bind()
    programmes = dict(bind.execute(sa.text("SELECT id, region_code FROM programmes")).all())
    for table in ("stages", "milestones"):
        rows = bind.execute(
            sa.text(f"SELECT id, programme_id, title FROM {table} WHERE title LIKE '%Perbup/Perwali%'")  # noqa: S608
        ).all()
        for row_id, programme_id, title in rows:
            try:
                short, _long = regulation_of(programmes[programme_id])
            except (KeyError, ValueError):
                continue
            bind.execute(
                sa.text(f"UPDATE {table} SET title = :title WHERE id = :id"),  # noqa: S608
                {"title": title.replace("Perbup/Perwali", short), "id": row_id},
            )


def downgrade() -> None:
    with op.batch_alter_table("quick_wins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quick_wins_programme_id"))
    op.drop_table("quick_wins")

    # One evaluation per programme again: its first year's is kept, the later years' cannot be.
    op.execute(
        "DELETE FROM evaluations WHERE year <> "
        "(SELECT programmes.cohort_year FROM programmes WHERE programmes.id = evaluations.programme_id)"
    )
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_constraint("pk_evaluations", type_="primary")
        batch_op.create_primary_key("pk_evaluations", ["programme_id"])
        batch_op.drop_column("year")

    op.add_column("stages", sa.Column("session_start", sa.Date(), nullable=True))
    op.add_column("stages", sa.Column("session_end", sa.Date(), nullable=True))
    op.execute(
        "UPDATE stages SET "
        "session_start = (SELECT sessions.starts_on FROM sessions WHERE sessions.stage_id = stages.id), "
        "session_end = (SELECT sessions.ends_on FROM sessions WHERE sessions.stage_id = stages.id)"
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_programme_id"))
    op.drop_table("sessions")
