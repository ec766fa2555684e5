"""a role has at most one current holder

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CURRENT = sa.text("valid_until IS NULL")


def upgrade() -> None:
    # Should two current holders already exist (a race before this constraint), the later record stays
    # current and the earlier one's term ends on the day the later one began.
    op.execute(
        """
        UPDATE officials SET valid_until = (
            SELECT MIN(later.valid_from) FROM officials AS later
            WHERE later.region_code = officials.region_code AND later.role = officials.role
              AND later.valid_until IS NULL AND later.id > officials.id
        )
        WHERE valid_until IS NULL AND EXISTS (
            SELECT 1 FROM officials AS later
            WHERE later.region_code = officials.region_code AND later.role = officials.role
              AND later.valid_until IS NULL AND later.id > officials.id
        )
        """
    )
    op.create_index(
        "uq_officials_current_role",
        "officials",
        ["region_code", "role"],
        unique=True,
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )


def downgrade() -> None:
    op.drop_index("uq_officials_current_role", table_name="officials")
