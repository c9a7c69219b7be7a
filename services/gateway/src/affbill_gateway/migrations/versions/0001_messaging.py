"""Outbox and inbox of the gateway schema.

Revision ID: gateway_0001
Revises:
"""

from affbill_runtime.migration_ops import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "gateway_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_v1()


def downgrade() -> None:
    drop_messaging_tables_v1()
