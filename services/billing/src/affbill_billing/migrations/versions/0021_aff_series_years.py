"""A yearly number series keeps the last counter of each year it left, so a document dated
in an earlier year (a late backdated Create) continues that year's counter, gapless.

Revision ID: billing_0021_aff
Revises: billing_0020_aff
"""

import sqlalchemy as sa
from alembic import op

revision = "billing_0021_aff"
down_revision = "billing_0020_aff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "number_series_years",
        sa.Column("series", sa.Text, sa.ForeignKey("number_series.series"), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("last_counter", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("series", "year"),
    )


def downgrade() -> None:
    op.drop_table("number_series_years")
