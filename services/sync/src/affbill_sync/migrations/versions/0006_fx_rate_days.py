"""Exchange rates: the digest of each source's day last published.

Revision ID: sync_0006_fx
Revises: sync_0004_poison
"""

import sqlalchemy as sa
from alembic import op

revision = "sync_0006_fx"
down_revision = "sync_0004_poison"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_days",
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("rate_date", sa.Date, nullable=False),
        sa.Column("digest", sa.LargeBinary, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("source", "rate_date"),
    )


def downgrade() -> None:
    op.drop_table("rate_days")
