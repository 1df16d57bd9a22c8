"""Sign-in hardening: recent sign-in attempts, kept in the database so that throttling
holds across workers and processes (keyed hashes of the username and the client's
address, never either in the clear), and a session version on each user, raised when the
password changes so that the user's other sessions stop being valid.

Plain ALTERs, no batch mode (as in 0003).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_key", sa.String(length=64), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    op.create_index("ix_login_attempts_account_at", "login_attempts", ["account_key", "at"])
    op.create_index("ix_login_attempts_client_at", "login_attempts", ["client_key", "at"])
    op.create_index(op.f("ix_login_attempts_at"), "login_attempts", ["at"])
    op.add_column(
        "users",
        sa.Column("session_version", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("users", "session_version")
    op.drop_index(op.f("ix_login_attempts_at"), table_name="login_attempts")
    op.drop_index("ix_login_attempts_client_at", table_name="login_attempts")
    op.drop_index("ix_login_attempts_account_at", table_name="login_attempts")
    op.drop_table("login_attempts")
