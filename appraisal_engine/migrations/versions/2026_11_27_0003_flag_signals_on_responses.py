"""What the ballot-stuffing checks need: a fingerprint of the options a response chose
(identical answers in a burst), a salted hash of address and user agent without the
device cookie (a device that clears its cookies), and an index on (link, time) for
counting a link's recent responses.

Plain ALTERs, no batch mode: rebuilding the responses table on SQLite would drop the
triggers of revision 0002.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("responses", sa.Column("answers_fingerprint", sa.String(length=32)))
    op.add_column("responses", sa.Column("network_hash", sa.String(length=64)))
    op.create_index("ix_responses_network_hash", "responses", ["network_hash", "submitted_at"])
    op.drop_index("ix_responses_link_id", table_name="responses")
    op.create_index("ix_responses_link_submitted", "responses", ["link_id", "submitted_at"])


def downgrade() -> None:
    op.drop_index("ix_responses_link_submitted", table_name="responses")
    op.create_index("ix_responses_link_id", "responses", ["link_id"])
    op.drop_index("ix_responses_network_hash", table_name="responses")
    op.drop_column("responses", "network_hash")
    op.drop_column("responses", "answers_fingerprint")
