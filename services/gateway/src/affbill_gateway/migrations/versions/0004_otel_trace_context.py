"""Trace context kept with later work: the outbox row's traceparent.

Revision ID: gateway_0004_otel
Revises: gateway_0004_ui
"""

from affbill_runtime.migration_ops import add_outbox_traceparent_v1, drop_outbox_traceparent_v1

revision = "gateway_0004_otel"
down_revision = "gateway_0004_ui"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_traceparent_v1()


def downgrade() -> None:
    drop_outbox_traceparent_v1()
