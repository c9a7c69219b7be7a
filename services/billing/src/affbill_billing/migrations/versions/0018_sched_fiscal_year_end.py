"""A profile may bill everything held back below its threshold at the fiscal year end.

Revision ID: billing_0018_sched
Revises: billing_0017_sched
"""

import sqlalchemy as sa
from alembic import op

revision = "billing_0018_sched"
down_revision = "billing_0017_sched"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("billing_profiles", sa.Column(
        "threshold_waived_at_fiscal_year_end", sa.Boolean, nullable=False,
        server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("billing_profiles", "threshold_waived_at_fiscal_year_end")
