"""Consumer positions: the stat-row consumer records applied Kafka offsets per partition
instead of one inbox row per event.

Revision ID: billing_0007
Revises: billing_0006
"""

from affbill_runtime.migration_ops import create_consumer_positions_v1, drop_consumer_positions_v1

revision = "billing_0007"
down_revision = "billing_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_consumer_positions_v1()


def downgrade() -> None:
    drop_consumer_positions_v1()
