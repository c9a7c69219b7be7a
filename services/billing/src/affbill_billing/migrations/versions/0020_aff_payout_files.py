"""Payout files: each SEPA (pain.001.001.09) or CSV file written for the affiliates' issued
credit notes is kept, and each credit note names the file that paid it out, so none is
exported twice without an explicit choice.

Revision ID: billing_0020_aff
Revises: billing_0017_aff
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "billing_0020_aff"
down_revision = "billing_0017_aff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payout_files",
        sa.Column("file_id", sa.Uuid, primary_key=True),
        sa.Column("job_id", sa.Uuid, nullable=False),
        sa.Column("entity", sa.Text, nullable=False),
        sa.Column("format", sa.Text, nullable=False),
        sa.Column("currency", sa.Text),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("credit_notes", JSONB, nullable=False),
        sa.Column("payments", sa.Integer, nullable=False),
        sa.Column("total", sa.Numeric(28, 10), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.text("now()")),
        sa.CheckConstraint("format in ('sepa', 'csv')", name="payout_files_format"),
    )
    op.add_column("invoices", sa.Column(
        "payout_file_id", sa.Uuid, sa.ForeignKey("payout_files.file_id")))
    op.add_column("invoices", sa.Column("payout_exported_at", sa.DateTime(timezone=True)))
    op.add_column("invoices", sa.Column("payout_exported_by", sa.Text))
    # what an export reads: the affiliates' issued credit notes not paid out yet
    op.create_index("invoices_payout_open", "invoices", ["customer_id", "issue_date"],
                    postgresql_where=sa.text("document_type = '389' and status = 'issued' "
                                             "and payout_file_id is null"))


def downgrade() -> None:
    op.drop_index("invoices_payout_open", table_name="invoices")
    for column in ("payout_exported_by", "payout_exported_at", "payout_file_id"):
        op.drop_column("invoices", column)
    op.drop_table("payout_files")
