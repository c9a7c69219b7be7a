"""The affiliate side: an affiliate's profile holds its tax status, tax number, payout method
and bank details; self-billed credit notes have their own number series.

Revision ID: billing_0017_aff
Revises: billing_0019_sched
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "billing_0017_aff"
down_revision = "billing_0019_sched"
branch_labels = None
depends_on = None

STATUSES = ("domestic_vat", "eu_reverse_charge", "non_eu", "small_business", "not_a_business")
METHODS = ("sepa", "wire", "paypal", "other")


def upgrade() -> None:
    op.add_column("billing_profiles", sa.Column("tax_status", sa.Text))
    op.create_check_constraint("billing_profiles_tax_status", "billing_profiles",
                               f"tax_status in {STATUSES}")
    op.add_column("billing_profiles", sa.Column("tax_number", sa.Text))
    op.add_column("billing_profiles", sa.Column("payout_method", sa.Text))
    op.create_check_constraint("billing_profiles_payout_method", "billing_profiles",
                               f"payout_method in {METHODS}")
    op.add_column("billing_profiles", sa.Column("bank_account", JSONB))
    op.execute("insert into number_series (series, prefix) values ('self-billed', 'SB-{yyyy}-') "
               "on conflict (series) do nothing")
    op.execute("update billing_profiles set number_series = 'self-billed' "
               "where customer_id like '%:affiliate:%' and number_series = 'default'")


def downgrade() -> None:
    op.execute("update billing_profiles set number_series = 'default' "
               "where number_series = 'self-billed'")
    op.execute("delete from number_series where series = 'self-billed' and last_counter is null")
    for column in ("bank_account", "payout_method", "tax_number", "tax_status"):
        op.drop_column("billing_profiles", column)
