"""Number series, batch runs and invoices.

Revision ID: billing_0004
Revises: billing_0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "billing_0004"
down_revision = "billing_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "number_series",
        sa.Column("series", sa.Text, primary_key=True),
        sa.Column("prefix", sa.Text, nullable=False),
        sa.Column("suffix", sa.Text, nullable=False, server_default=""),
        sa.Column("padding", sa.Integer, nullable=False, server_default="5"),
        sa.Column("start", sa.Integer, nullable=False, server_default="1"),
        sa.Column("cancellation_suffix", sa.Text, nullable=False, server_default="-S"),
        sa.Column("last_counter", sa.Integer),  # the counter row locked by the issuing transaction
    )
    op.execute("insert into number_series (series, prefix) values ('default', 'INV-{yyyy}-')")
    op.create_table(
        "runs",
        sa.Column("run_id", sa.Uuid, primary_key=True),
        sa.Column("requested_by", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("counts", JSONB, nullable=False, server_default="{}"),
    )
    op.create_table(
        "invoices",
        sa.Column("invoice_id", sa.Uuid, primary_key=True),
        sa.Column("customer_id", sa.Text, nullable=False),
        sa.Column("number", sa.Text, unique=True),
        sa.Column("series", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("document_type", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("issue_date", sa.Date),
        sa.Column("due_date", sa.Date),
        sa.Column("period_start", sa.Date),
        sa.Column("period_end", sa.Date),
        sa.Column("net_total", sa.Numeric(28, 10), nullable=False),
        sa.Column("tax_total", sa.Numeric(28, 10), nullable=False),
        sa.Column("gross_total", sa.Numeric(28, 10), nullable=False),
        sa.Column("snapshot", JSONB, nullable=False),
        sa.Column("run_id", sa.Uuid),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("issued_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("status in ('draft', 'issued', 'cancelled')", name="invoices_status"),
    )
    op.create_index("invoices_by_customer", "invoices", ["customer_id", "issue_date"])
    op.create_index("invoices_by_run", "invoices", ["run_id"])


def downgrade() -> None:
    for table in ("invoices", "runs", "number_series"):
        op.drop_table(table)
