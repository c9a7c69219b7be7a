"""Outbox and inbox of the sync schema.

Revision ID: sync_0001
Revises:
"""

from affbill_runtime.migration_ops import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "sync_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_v1()


def downgrade() -> None:
    drop_messaging_tables_v1()
