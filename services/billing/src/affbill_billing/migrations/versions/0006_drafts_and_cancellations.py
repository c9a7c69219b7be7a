"""Drafts (invoices with status 'draft' carrying their presets, lines and reserved items),
approvals, cancellations, and intro/closing texts on profiles.

Revision ID: billing_0006
Revises: billing_0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "billing_0006"
down_revision = "billing_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("billing_profiles", sa.Column("intro_text", sa.Text))
    op.add_column("billing_profiles", sa.Column("closing_text", sa.Text))
    op.alter_column("invoices", "snapshot", nullable=True)  # a draft has none yet
    for column in (
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("presets", JSONB),
        sa.Column("lines", JSONB),
        sa.Column("reserved", JSONB),  # the items on the draft's lines, as they were reserved
        sa.Column("created_by", sa.Text),
        sa.Column("issued_by", sa.Text),
        sa.Column("job_id", sa.Uuid),  # the job that issued it
        sa.Column("cancels_invoice_id", sa.Uuid),
        sa.Column("cancelled_at", sa.DateTime(timezone=True)),
        sa.Column("cancelled_by", sa.Text),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    ):
        op.add_column("invoices", column)
    # cancelled at most once, whatever races
    op.create_index("invoices_one_cancellation", "invoices", ["cancels_invoice_id"], unique=True,
                    postgresql_where=sa.text("cancels_invoice_id is not null"))
    op.create_index("invoices_drafts", "invoices", ["customer_id", "created_at"],
                    postgresql_where=sa.text("status = 'draft'"))
    op.add_column("billable_items", sa.Column("draft_id", sa.Uuid))
    op.create_index("billable_items_in_draft", "billable_items", ["draft_id"],
                    postgresql_where=sa.text("draft_id is not null"))
    op.create_table(
        "draft_approvals",
        sa.Column("invoice_id", sa.Uuid, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),  # approvals hold for this version only
        sa.Column("approved_by", sa.Text, nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("invoice_id", "version", "approved_by"),
    )


def downgrade() -> None:
    op.drop_table("draft_approvals")
    op.drop_index("billable_items_in_draft", table_name="billable_items")
    op.drop_column("billable_items", "draft_id")
    op.drop_index("invoices_drafts", table_name="invoices")
    op.drop_index("invoices_one_cancellation", table_name="invoices")
    for name in ("updated_at", "cancelled_by", "cancelled_at", "cancels_invoice_id", "job_id",
                 "issued_by", "created_by", "reserved", "lines", "presets", "version"):
        op.drop_column("invoices", name)
    op.execute("delete from invoices where snapshot is null")
    op.alter_column("invoices", "snapshot", nullable=False)
    op.drop_column("billing_profiles", "closing_text")
    op.drop_column("billing_profiles", "intro_text")
