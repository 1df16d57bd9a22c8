"""Scoring revision 2 and temporary passwords.

- `campaigns.scoring_revision`: the rules a campaign is scored by (SCORING.md §3a).
  Campaigns made before this revision keep revision 1, so scoring them again gives what
  it gave; new campaigns get revision 2.
- `campaigns.quota_rounding`: how the excellent quota's places are rounded (revision 2);
  `floor`, as before.
- `users.must_change_password`: an account given a temporary password by an
  administrator must change it at its next sign-in; existing accounts need not.

SQLite adds a CHECK constraint only by rebuilding the table, which it cannot do while
triggers name the table (revision 0009's guards of finalised campaigns, on campaigns and
on the tables that look its status up): they are dropped before and made again after.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from appraisal_engine.migrate import sqlite_triggers_about

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

CHECKS = {
    "scoring_revision": "scoring_revision IN (1, 2)",
    "quota_rounding": "quota_rounding IN ('floor', 'half_up', 'ceil')",
}


def _drop_sqlite_triggers() -> list[str]:
    """Drop the triggers that name `campaigns`; their statements, to run again."""
    triggers = sqlite_triggers_about(op.get_bind(), "campaigns")
    for name, _sql in triggers:
        op.execute(f"DROP TRIGGER {name}")
    return [sql for _name, sql in triggers]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    triggers = _drop_sqlite_triggers() if sqlite else []
    with op.batch_alter_table("campaigns", recreate="always" if sqlite else "auto") as batch:
        batch.add_column(
            sa.Column("scoring_revision", sa.Integer(), nullable=False, server_default="1")
        )
        batch.add_column(
            sa.Column(
                "quota_rounding", sa.String(length=16), nullable=False, server_default="floor"
            )
        )
        for name, condition in CHECKS.items():
            batch.create_check_constraint(op.f(f"ck_campaigns_{name}"), condition)
    with op.batch_alter_table("campaigns") as batch:
        # The defaults lived in the database only to fill the rows already there.
        batch.alter_column("scoring_revision", server_default=None, existing_type=sa.Integer())
        batch.alter_column(
            "quota_rounding", server_default=None, existing_type=sa.String(length=16)
        )
    for statement in triggers:
        op.execute(statement)
    op.add_column(
        "users",
        sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.drop_column("users", "must_change_password")
    triggers = _drop_sqlite_triggers() if sqlite else []
    with op.batch_alter_table("campaigns", recreate="always" if sqlite else "auto") as batch:
        for name in CHECKS:
            batch.drop_constraint(op.f(f"ck_campaigns_{name}"), type_="check")
        batch.drop_column("quota_rounding")
        batch.drop_column("scoring_revision")
    for statement in triggers:
        op.execute(statement)
