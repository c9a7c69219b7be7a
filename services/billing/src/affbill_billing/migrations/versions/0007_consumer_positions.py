"""Consumer positions: the stat-row consumer records applied Kafka offsets per partition
instead of one inbox row per event. Stat rows keep one index instead of two: the key
leads with the billable item's group (customer, offer, day, currency), so the same index
finds a row to upsert and a group's rows to sum.

Revision ID: billing_0007
Revises: billing_0006
"""

from alembic import op

from affbill_runtime.migration_ops import create_consumer_positions_v1, drop_consumer_positions_v1

revision = "billing_0007"
down_revision = "billing_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_consumer_positions_v1()
    op.drop_constraint("stat_rows_pkey", "stat_rows", type_="primary")
    op.drop_index("stat_rows_group", table_name="stat_rows")
    op.create_primary_key("stat_rows_pkey", "stat_rows",
                          ["customer_id", "offer_id", "day", "currency", "stat_key"])


def downgrade() -> None:
    op.drop_constraint("stat_rows_pkey", "stat_rows", type_="primary")
    op.create_primary_key("stat_rows_pkey", "stat_rows", ["stat_key"])
    op.create_index("stat_rows_group", "stat_rows", ["customer_id", "offer_id", "day", "currency"])
    drop_consumer_positions_v1()
