"""A seller entity names its default number series: the invoices of profiles left at the
shipped series `default` are numbered from it.

Revision ID: billing_0022_aff
Revises: billing_0021_aff
"""

import sqlalchemy as sa
from alembic import op

revision = "billing_0022_aff"
down_revision = "billing_0021_aff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("seller_entities", sa.Column(
        "number_series", sa.Text, sa.ForeignKey("number_series.series")))


def downgrade() -> None:
    op.drop_column("seller_entities", "number_series")
