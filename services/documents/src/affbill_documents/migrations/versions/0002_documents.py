"""Rendered documents: PDF/A-3 and CII XML bytes with their SHA-256, validation result.

Revision ID: documents_0002
Revises: documents_0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "documents_0002"
down_revision = "documents_0001"
branch_labels = None
depends_on = None
MONEY = sa.Numeric(28, 10)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("invoice_id", sa.Uuid, primary_key=True),
        sa.Column("number", sa.Text, nullable=False),
        sa.Column("document_type", sa.Text, nullable=False),
        sa.Column("customer_id", sa.Text, nullable=False),
        sa.Column("buyer_name", sa.Text, nullable=False),
        sa.Column("issue_date", sa.Date, nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("net_total", MONEY, nullable=False),
        sa.Column("tax_total", MONEY, nullable=False),
        sa.Column("gross_total", MONEY, nullable=False),
        sa.Column("amount_due", MONEY, nullable=False),
        sa.Column("cancels_invoice_id", sa.Uuid),
        sa.Column("cancels_number", sa.Text),
        sa.Column("cancelled_by_invoice_id", sa.Uuid),
        sa.Column("profile", sa.Text, nullable=False),
        sa.Column("pdf", sa.LargeBinary, nullable=False),
        sa.Column("pdf_sha256", sa.Text, nullable=False),
        sa.Column("pdf_size", sa.Integer, nullable=False),
        sa.Column("xml", sa.LargeBinary, nullable=False),
        sa.Column("xml_sha256", sa.Text, nullable=False),
        sa.Column("xml_size", sa.Integer, nullable=False),
        sa.Column("valid", sa.Boolean, nullable=False),
        sa.Column("failed_rules", ARRAY(sa.Text), nullable=False),
        sa.Column("findings", JSONB, nullable=False),
        sa.Column("render_ms", sa.Integer, nullable=False),
        sa.Column("validate_ms", sa.Integer, nullable=False),
        sa.Column("event_id", sa.Uuid, nullable=False),
        sa.Column("issuing_job_id", sa.Uuid),
        sa.Column("rendering_job_id", sa.Uuid, nullable=False),
        sa.Column("rendered_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.CheckConstraint("document_type in ('380', '381')", name="documents_type"),
    )
    op.create_index("documents_by_date", "documents", ["issue_date", "number"])
    op.create_index("documents_by_customer", "documents", ["customer_id", "issue_date"])
    op.create_index("documents_by_number", "documents", ["number"])
    op.create_index("documents_cancelling", "documents", ["cancels_invoice_id"],
                    postgresql_where=sa.text("cancels_invoice_id is not null"))


def downgrade() -> None:
    op.drop_table("documents")
