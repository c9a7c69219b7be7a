"""E-invoice format per billing profile: factur-x (default) or xrechnung, and the buyer
reference (BT-10, the Leitweg-ID) XRechnung requires.

Revision ID: billing_0008
Revises: billing_0007
"""

import sqlalchemy as sa
from alembic import op

revision = "billing_0008"
down_revision = "billing_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("billing_profiles", sa.Column("e_invoice_format", sa.Text, nullable=False,
                                                server_default="factur-x"))
    op.add_column("billing_profiles", sa.Column("buyer_reference", sa.Text))
    op.create_check_constraint(
        "billing_profiles_e_invoice_format", "billing_profiles",
        "e_invoice_format = 'factur-x' or (e_invoice_format = 'xrechnung' "
        "and coalesce(btrim(buyer_reference), '') <> '')")


def downgrade() -> None:
    op.drop_constraint("billing_profiles_e_invoice_format", "billing_profiles")
    op.drop_column("billing_profiles", "buyer_reference")
    op.drop_column("billing_profiles", "e_invoice_format")
