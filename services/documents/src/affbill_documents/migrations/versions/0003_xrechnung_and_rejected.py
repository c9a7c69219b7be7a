"""XRechnung XML next to the Factur-X PDF for buyers who require it; rejected messages.

Revision ID: documents_0003
Revises: documents_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "documents_0003"
down_revision = "documents_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("e_invoice_format", sa.Text, nullable=False,
                                         server_default="factur-x"))
    op.add_column("documents", sa.Column("xrechnung", sa.LargeBinary))
    op.add_column("documents", sa.Column("xrechnung_sha256", sa.Text))
    op.add_column("documents", sa.Column("xrechnung_size", sa.Integer))
    op.create_check_constraint(
        "documents_e_invoice_format", "documents",
        "e_invoice_format in ('factur-x', 'xrechnung') "
        "and (xrechnung is null) = (xrechnung_sha256 is null)")
    op.create_table(
        "rejected_messages",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("partition", sa.Integer),
        sa.Column("offset", sa.BigInteger),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("raw", sa.LargeBinary, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.UniqueConstraint("topic", "partition", "offset", name="rejected_messages_position"),
    )


def downgrade() -> None:
    op.drop_table("rejected_messages")
    op.drop_constraint("documents_e_invoice_format", "documents")
    for column in ("xrechnung_size", "xrechnung_sha256", "xrechnung", "e_invoice_format"):
        op.drop_column("documents", column)
