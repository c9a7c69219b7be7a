"""Customers, employees, latest stat rows, billable items, pending conversions.

Revision ID: billing_0002
Revises: billing_0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "billing_0002"
down_revision = "billing_0001"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(28, 10)


def upgrade() -> None:
    op.create_table(
        "employees",
        sa.Column("connector", sa.Text, nullable=False),
        sa.Column("employee_id", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("email", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("connector", "employee_id"),
    )
    op.create_table(
        "customers",
        sa.Column("customer_id", sa.Text, primary_key=True),
        sa.Column("connector", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("account_manager_id", sa.Text),
        sa.Column("default_currency", sa.Text),
        sa.Column("address", JSONB),
        sa.Column("vat_id", sa.Text),
        sa.Column("email", sa.Text),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    op.create_table(
        "stat_rows",
        sa.Column("stat_key", sa.Text, primary_key=True),
        sa.Column("customer_id", sa.Text, nullable=False),
        sa.Column("offer_id", sa.Text, nullable=False),
        sa.Column("offer_name", sa.Text, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("units", sa.Integer, nullable=False),
        sa.Column("revenue", MONEY, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    op.create_index("stat_rows_group", "stat_rows", ["customer_id", "offer_id", "day", "currency"])
    op.create_table(
        "billable_items",
        sa.Column("item_id", sa.Uuid, primary_key=True,
                  server_default=sa.text("gen_random_uuid()")),
        sa.Column("customer_id", sa.Text, nullable=False),
        sa.Column("offer_id", sa.Text, nullable=False),
        sa.Column("offer_name", sa.Text, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("units", sa.Integer, nullable=False),
        sa.Column("revenue", MONEY, nullable=False),
        sa.Column("state", sa.Text, nullable=False, server_default="open"),
        sa.Column("invoice_id", sa.Uuid),
        sa.Column("adjusts_invoice_id", sa.Uuid),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.CheckConstraint("state in ('open', 'invoiced')", name="billable_items_state"),
    )
    op.create_index("billable_items_one_open", "billable_items",
                    ["customer_id", "offer_id", "day", "currency"], unique=True,
                    postgresql_where=sa.text("state = 'open'"))
    op.create_index("billable_items_by_customer", "billable_items", ["customer_id", "state", "day"])
    op.create_table(
        "conversions",
        sa.Column("connector", sa.Text, nullable=False),
        sa.Column("conversion_id", sa.Text, nullable=False),
        sa.Column("customer_id", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("revenue", MONEY, nullable=False),
        sa.Column("converted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("connector", "conversion_id"),
    )
    op.create_index("conversions_pending", "conversions", ["customer_id"],
                    postgresql_where=sa.text("status = 'pending'"))


    op.create_table(
        "rejected_messages",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("raw", sa.LargeBinary, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )


def downgrade() -> None:
    for table in ("rejected_messages", "conversions", "billable_items", "stat_rows", "customers",
                  "employees"):
        op.drop_table(table)
