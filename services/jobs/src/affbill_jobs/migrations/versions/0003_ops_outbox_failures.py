"""Outbox rows the relay could not send are set aside as failed; the inbox is purged by age.

Revision ID: jobs_0003_ops
Revises: jobs_0002
"""

from affbill_runtime.migration_ops import add_outbox_failures_v2, drop_outbox_failures_v2

revision = "jobs_0003_ops"
down_revision = "jobs_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_failures_v2()


def downgrade() -> None:
    drop_outbox_failures_v2()
