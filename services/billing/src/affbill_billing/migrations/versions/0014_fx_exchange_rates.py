"""Exchange rates: the history of every rate billing was told (synced or entered by hand),
and a profile's currency mode (split by source currency, or convert into the billing one).

Revision ID: billing_0014_fx
Revises: billing_0016_vat
"""

import sqlalchemy as sa
from alembic import op

revision = "billing_0014_fx"
down_revision = "billing_0016_vat"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_rates",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("base", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("rate_date", sa.Date, nullable=False),
        # numeric without a scale keeps the digits as published (0.86905, 162.40)
        sa.Column("rate", sa.Numeric(), nullable=False),
        sa.Column("entered_by", sa.Text),  # a manual rate: who entered it and why
        sa.Column("reason", sa.Text),
        sa.Column("event_id", sa.Uuid),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.CheckConstraint("rate > 0", name="exchange_rates_positive"),
    )
    # the current rate of a day is the last recorded one (a correction is a later row)
    op.create_index("exchange_rates_by_day", "exchange_rates",
                    ["base", "currency", "rate_date", "id"])
    op.add_column("billing_profiles", sa.Column(
        "currency_mode", sa.Text, nullable=False, server_default="split"))
    op.create_check_constraint("billing_profiles_currency_mode", "billing_profiles",
                               "currency_mode in ('split', 'convert')")


def downgrade() -> None:
    op.drop_column("billing_profiles", "currency_mode")
    op.drop_table("exchange_rates")
