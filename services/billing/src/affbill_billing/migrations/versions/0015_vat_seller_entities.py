"""Seller entities as data: the companies that issue documents; a profile names its own.

A profile naming none (null) is billed by the seller the billing settings configure.

Revision ID: billing_0015_vat
Revises: billing_0014_vat
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "billing_0015_vat"
down_revision = "billing_0014_vat"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seller_entities",
        sa.Column("entity", sa.Text, primary_key=True),
        sa.Column("legal_name", sa.Text, nullable=False),
        sa.Column("address", JSONB, nullable=False),
        sa.Column("country", sa.Text, nullable=False),
        sa.Column("vat_id", sa.Text),
        sa.Column("tax_number", sa.Text),
        sa.Column("managing_directors", JSONB, nullable=False),
        sa.Column("register_court", sa.Text, nullable=False),
        sa.Column("register_number", sa.Text, nullable=False),
        sa.Column("bank_accounts", JSONB, nullable=False),
        sa.Column("language", sa.Text, nullable=False, server_default="en"),
        sa.Column("domestic_vat_rate", sa.Numeric(5, 2), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    op.add_column("billing_profiles", sa.Column(
        "seller_entity", sa.Text, sa.ForeignKey("seller_entities.entity")))


def downgrade() -> None:
    op.drop_column("billing_profiles", "seller_entity")
    op.drop_table("seller_entities")
