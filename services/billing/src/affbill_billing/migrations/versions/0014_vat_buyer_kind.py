"""VAT treatment decided per document: a profile says what an EU buyer without VAT id is.

`buyer_kind` (business | consumer) is what the rule needs for an EU buyer without a VAT
id; `tax_treatment` now holds what the rule decided at the profile's last write (null:
undecided, such a customer is not billed) and services to third countries are `outside_scope`
(category O), no longer `export` (G, goods only).

Revision ID: billing_0014_vat
Revises: billing_0015_periods
"""

import sqlalchemy as sa
from alembic import op

revision = "billing_0014_vat"
down_revision = "billing_0015_periods"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("billing_profiles", sa.Column("buyer_kind", sa.Text))
    op.create_check_constraint("billing_profiles_buyer_kind", "billing_profiles",
                               "buyer_kind in ('business', 'consumer')")
    op.alter_column("billing_profiles", "tax_treatment", nullable=True)
    op.execute("update billing_profiles set tax_treatment = 'outside_scope' "
               "where tax_treatment = 'export'")


def downgrade() -> None:
    op.execute("update billing_profiles set tax_treatment = 'export' "
               "where tax_treatment = 'outside_scope'")
    op.execute("update billing_profiles set tax_treatment = 'domestic' "
               "where tax_treatment is null")
    op.alter_column("billing_profiles", "tax_treatment", nullable=False)
    op.drop_constraint("billing_profiles_buyer_kind", "billing_profiles")
    op.drop_column("billing_profiles", "buyer_kind")
