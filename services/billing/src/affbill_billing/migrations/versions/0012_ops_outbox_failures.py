"""Outbox rows the relay could not send are set aside as failed; the inbox is purged by age.

Revision ID: billing_0012_ops
Revises: billing_0011
"""

from affbill_runtime.migration_ops import add_outbox_failures_v2, drop_outbox_failures_v2

revision = "billing_0012_ops"
down_revision = "billing_0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_failures_v2()


def downgrade() -> None:
    drop_outbox_failures_v2()
