"""Trace context: the outbox row's traceparent, and the trace id of each job-log line.

Revision ID: jobs_0005_otel
Revises: jobs_0003_poison
"""

import sqlalchemy as sa
from alembic import op

from affbill_runtime.migration_ops import add_outbox_traceparent_v1, drop_outbox_traceparent_v1

revision = "jobs_0005_otel"
down_revision = "jobs_0003_poison"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_traceparent_v1()
    op.add_column("job_lines", sa.Column("trace_id", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("job_lines", "trace_id")
    drop_outbox_traceparent_v1()
