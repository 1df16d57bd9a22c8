"""When leadership published a finalised campaign's league table of units.

Plain ALTER (as in 0003): rebuilding the campaigns table on SQLite would drop the
triggers of revision 0002.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "campaigns", sa.Column("league_published_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("campaigns", "league_published_at")
