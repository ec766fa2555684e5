"""PostgreSQL tells every listening process when the register or a cohort's ranking inputs change, and
counts every change to the register, made through the service or not

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Table -> the topics its writes change (shared/changes.py). The register lists regions; a ranking reads
# applications, their cohort and their regions' names and kinds.
WATCHED = {
    "regions": ("register", "ranking"),
    "applications": ("ranking",),
    "cohorts": ("ranking",),
}

NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION cerdas_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    topic text;
BEGIN
    -- Delivered at commit, once per topic and transaction however many statements wrote.
    FOREACH topic IN ARRAY TG_ARGV LOOP
        PERFORM pg_notify('cerdas_changes', topic);
    END LOOP;
    RETURN NULL;
END
$$
"""

# The register's revision (its ETag, and the key of each process's copy) counted by the database itself,
# so a repair made in psql is served too instead of a copy of the register from before it.
BUMP_FUNCTION = """
CREATE OR REPLACE FUNCTION cerdas_bump_register_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE register_revision SET revision = revision + 1 WHERE id = 1;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has no notifications: its processes read the database every time
    op.execute(NOTIFY_FUNCTION)
    for table, topics in WATCHED.items():
        arguments = ", ".join(f"'{topic}'" for topic in topics)
        op.execute(
            f"CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION cerdas_notify_change({arguments})"
        )
    op.execute(BUMP_FUNCTION)
    op.execute(
        "CREATE TRIGGER regions_counted AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON regions "
        "FOR EACH STATEMENT EXECUTE FUNCTION cerdas_bump_register_revision()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS regions_counted ON regions")
    op.execute("DROP FUNCTION IF EXISTS cerdas_bump_register_revision()")
    for table in WATCHED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_changed ON {table}")
    op.execute("DROP FUNCTION IF EXISTS cerdas_notify_change()")
