"""Trace context kept with later work: the outbox row's traceparent, and the work item's
(a run continues the trace of its command).

Revision ID: billing_0018_otel
Revises: billing_0022_aff
"""

import sqlalchemy as sa
from alembic import op

from affbill_runtime.migration_ops import add_outbox_traceparent_v1, drop_outbox_traceparent_v1

revision = "billing_0018_otel"
down_revision = "billing_0022_aff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_traceparent_v1()
    op.add_column("work_items", sa.Column("traceparent", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("work_items", "traceparent")
    drop_outbox_traceparent_v1()
