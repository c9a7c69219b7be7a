"""Trace context kept with later work: the outbox row's traceparent.

Revision ID: sync_0007_otel
Revises: sync_0007_aff
"""

from affbill_runtime.migration_ops import add_outbox_traceparent_v1, drop_outbox_traceparent_v1

revision = "sync_0007_otel"
down_revision = "sync_0007_aff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_traceparent_v1()


def downgrade() -> None:
    drop_outbox_traceparent_v1()
