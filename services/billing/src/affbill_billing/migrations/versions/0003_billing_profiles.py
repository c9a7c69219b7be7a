"""Billing profiles: what billing keeps per customer, defaults filled from core data.

Revision ID: billing_0003
Revises: billing_0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "billing_0003"
down_revision = "billing_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "billing_profiles",
        sa.Column("customer_id", sa.Text, primary_key=True),
        sa.Column("billing_name", sa.Text, nullable=False),
        sa.Column("address", JSONB, nullable=False, server_default="{}"),
        sa.Column("country", sa.Text),
        sa.Column("vat_id", sa.Text),
        sa.Column("tax_treatment", sa.Text, nullable=False),
        sa.Column("billing_currency", sa.Text),
        sa.Column("threshold_amount", sa.Numeric(28, 10)),
        sa.Column("threshold_currency", sa.Text),
        sa.Column("payment_days", sa.Integer, nullable=False, server_default="14"),
        sa.Column("invoice_date_rule", sa.Text, nullable=False, server_default="today"),
        sa.Column("drafts_by_default", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("line_grouping", sa.Text, nullable=False, server_default="offer_per_period"),
        sa.Column("number_series", sa.Text, nullable=False, server_default="default"),
        sa.Column("email_recipients", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_by", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("billing_profiles")
