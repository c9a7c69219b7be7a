"""Stat fingerprints kept per day: one row per connector and day instead of one per stat row.

A sync reads and writes stats a day at a time; a million stat rows then cost a
hundred upserts, not a million.

Revision ID: sync_0003
Revises: sync_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "sync_0003"
down_revision = "sync_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stat_fingerprints",
        sa.Column("connector", sa.Text, nullable=False),
        sa.Column("stat_date", sa.Date, nullable=False),
        sa.Column("digests", sa.LargeBinary, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("connector", "stat_date"),
    )
    op.execute("delete from fingerprints where entity = 'stat'")  # re-read once, then per day
    op.execute("delete from day_digests")


def downgrade() -> None:
    op.drop_table("stat_fingerprints")
