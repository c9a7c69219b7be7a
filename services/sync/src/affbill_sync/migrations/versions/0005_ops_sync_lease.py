"""A running sync holds a lease it renews; a sync can be asked to stop.

Revision ID: sync_0005_ops
Revises: sync_0004_ops
"""

import sqlalchemy as sa
from alembic import op

revision = "sync_0005_ops"
down_revision = "sync_0004_ops"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sync_runs", sa.Column("lease_until", sa.DateTime(timezone=True)))
    op.add_column("sync_runs", sa.Column("attempts", sa.Integer, nullable=False,
                                         server_default="0"))
    op.add_column("sync_runs", sa.Column("cancel_requested_by", sa.Text))
    op.add_column("sync_runs", sa.Column("cancel_requested_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    for column in ("cancel_requested_at", "cancel_requested_by", "attempts", "lease_until"):
        op.drop_column("sync_runs", column)
