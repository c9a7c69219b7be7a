"""A seller entity's own rule for which day's exchange rate its documents use.

Revision ID: billing_0019_sched
Revises: billing_0018_sched
"""

import sqlalchemy as sa
from alembic import op

revision = "billing_0019_sched"
down_revision = "billing_0018_sched"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # null: the configured seller's rule (AFFBILL_BILLING_FX_RATE_DATE)
    op.add_column("seller_entities", sa.Column("fx_rate_date", sa.Text))
    op.create_check_constraint("seller_entities_fx_rate_date", "seller_entities",
                               "fx_rate_date in ('invoice_date', 'last_day_of_period')")


def downgrade() -> None:
    op.drop_constraint("seller_entities_fx_rate_date", "seller_entities")
    op.drop_column("seller_entities", "fx_rate_date")
