"""Partial credit notes: a credit note names the invoice it corrects.

Revision ID: billing_0013_docs
Revises: billing_0013_trust
"""

import sqlalchemy as sa
from alembic import op

revision = "billing_0013_docs"
down_revision = "billing_0013_trust"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("invoices", sa.Column("credits_invoice_id", sa.Uuid))
    op.create_index("invoices_credits", "invoices", ["credits_invoice_id"],
                    postgresql_where=sa.text("credits_invoice_id is not null"))


def downgrade() -> None:
    op.drop_index("invoices_credits", table_name="invoices")
    op.drop_column("invoices", "credits_invoice_id")
