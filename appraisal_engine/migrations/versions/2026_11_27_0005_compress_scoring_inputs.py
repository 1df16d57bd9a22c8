"""Scoring runs keep their input gzip-compressed: a city's input document is hundreds of
megabytes of JSON that compresses about 12 to 1. Existing inputs are compressed as they
are, byte for byte.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import gzip

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

runs = sa.table(
    "scoring_runs",
    sa.column("id", sa.Integer),
    sa.column("input_json", sa.Text),
    sa.column("input_gzip", sa.LargeBinary),
)


def upgrade() -> None:
    op.add_column("scoring_runs", sa.Column("input_gzip", sa.LargeBinary(), nullable=True))
    connection = op.get_bind()
    for run_id in connection.scalars(sa.select(runs.c.id)).all():
        text = connection.scalar(sa.select(runs.c.input_json).where(runs.c.id == run_id))
        packed = gzip.compress(text.encode("utf-8"), compresslevel=1, mtime=0)
        connection.execute(runs.update().where(runs.c.id == run_id).values(input_gzip=packed))
    with op.batch_alter_table("scoring_runs") as batch_op:
        batch_op.alter_column("input_gzip", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column("input_json")


def downgrade() -> None:
    op.add_column("scoring_runs", sa.Column("input_json", sa.Text(), nullable=True))
    connection = op.get_bind()
    for run_id in connection.scalars(sa.select(runs.c.id)).all():
        packed = connection.scalar(sa.select(runs.c.input_gzip).where(runs.c.id == run_id))
        text = gzip.decompress(packed).decode("utf-8")
        connection.execute(runs.update().where(runs.c.id == run_id).values(input_json=text))
    with op.batch_alter_table("scoring_runs") as batch_op:
        batch_op.alter_column("input_json", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("input_gzip")
