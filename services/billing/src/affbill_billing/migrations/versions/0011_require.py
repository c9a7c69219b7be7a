"""``require(ok, message)``: a statement that finds its premise false fails as a whole.

A run bills a customer in one statement that invoices the items it reads and must
roll back when they are not the items planned (adapters/sql/invoice_items_as_read.sql); SQL has
no RAISE, so the statement calls this. SQLSTATE AF001 names the case for the caller.

Revision ID: billing_0011
Revises: billing_0010
"""

from alembic import op

from affbill_billing.adapters.sql import load

revision = "billing_0011"
down_revision = "billing_0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(load("require.sql"))  # adapters/sql/require.sql


def downgrade() -> None:
    op.execute("drop function require(boolean, text)")
