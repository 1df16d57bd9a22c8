"""Kiosks in the database, so that a tablet set up at a window can be revoked before its
cookie expires, and each kiosk response names the tablet it came from.

Tablets set up before this revision carried a cookie naming only the campaign; they are
no longer trusted and must be set up again (their responses are then flagged as an
ordinary shared device would be, never rejected).

SQLite adds a foreign key only by rebuilding the table (with foreign keys off, see
`appraisal_engine.migrate.upgrade`); the rebuild drops the responses triggers of revision
0002, which are read before and created again after.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from appraisal_engine.migrate import sqlite_triggers

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kiosks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("device", sa.String(length=200), nullable=False),
        sa.Column("set_up_by_id", sa.Integer(), nullable=True),
        sa.Column("set_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["link_id"], ["links.id"], name=op.f("fk_kiosks_link_id_links"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["set_up_by_id"],
            ["users.id"],
            name=op.f("fk_kiosks_set_up_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["users.id"],
            name=op.f("fk_kiosks_revoked_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kiosks")),
    )
    op.create_index(op.f("ix_kiosks_link_id"), "kiosks", ["link_id"])
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a constraint only by rebuilding the table, which drops its triggers.
        triggers = sqlite_triggers(op.get_bind(), "responses")
        with op.batch_alter_table("responses", recreate="always") as batch:
            batch.add_column(sa.Column("kiosk_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(
                "fk_responses_kiosk_id_kiosks", "kiosks", ["kiosk_id"], ["id"], ondelete="RESTRICT"
            )
            batch.create_index(op.f("ix_responses_kiosk_id"), ["kiosk_id"])
        for statement in triggers:
            op.execute(statement)
    else:
        op.add_column("responses", sa.Column("kiosk_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_responses_kiosk_id_kiosks"),
            "responses",
            "kiosks",
            ["kiosk_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        op.create_index(op.f("ix_responses_kiosk_id"), "responses", ["kiosk_id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        triggers = sqlite_triggers(op.get_bind(), "responses")
        with op.batch_alter_table("responses", recreate="always") as batch:
            batch.drop_index(op.f("ix_responses_kiosk_id"))
            batch.drop_constraint("fk_responses_kiosk_id_kiosks", type_="foreignkey")
            batch.drop_column("kiosk_id")
        for statement in triggers:
            op.execute(statement)
    else:
        op.drop_index(op.f("ix_responses_kiosk_id"), table_name="responses")
        op.drop_constraint(op.f("fk_responses_kiosk_id_kiosks"), "responses", type_="foreignkey")
        op.drop_column("responses", "kiosk_id")
    op.drop_index(op.f("ix_kiosks_link_id"), table_name="kiosks")
    op.drop_table("kiosks")
