"""Outbox rows the relay could not send are set aside as failed; the inbox is purged by age.

Revision ID: sync_0004_ops
Revises: sync_0003
"""

from affbill_runtime.migration_ops import add_outbox_failures_v2, drop_outbox_failures_v2

revision = "sync_0004_ops"
down_revision = "sync_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_failures_v2()


def downgrade() -> None:
    drop_outbox_failures_v2()
