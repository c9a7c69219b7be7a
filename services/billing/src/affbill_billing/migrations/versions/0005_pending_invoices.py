"""Invoices may wait for their number: 'pending' between the customer's transaction and
the run's numbering transaction.

Revision ID: billing_0005
Revises: billing_0004
"""

from alembic import op

revision = "billing_0005"
down_revision = "billing_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint("invoices_status", "invoices", type_="check")
    op.create_check_constraint("invoices_status", "invoices",
                               "status in ('draft', 'pending', 'issued', 'cancelled')")
    op.create_index("invoices_pending", "invoices", ["run_id", "created_at"],
                    postgresql_where="status = 'pending'")


def downgrade() -> None:
    op.drop_index("invoices_pending", table_name="invoices")
    op.drop_constraint("invoices_status", "invoices", type_="check")
    op.create_check_constraint("invoices_status", "invoices",
                               "status in ('draft', 'issued', 'cancelled')")
