"""A sync may republish its window: every stat row again, changed or not (the upgrade that
lets billing derive payout items of stat rows it kept before it kept payouts).

Revision ID: sync_0007_aff
Revises: sync_0006_fx
"""

import sqlalchemy as sa
from alembic import op

revision = "sync_0007_aff"
down_revision = "sync_0006_fx"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sync_runs", sa.Column("republish", sa.Boolean, nullable=False,
                                         server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("sync_runs", "republish")
