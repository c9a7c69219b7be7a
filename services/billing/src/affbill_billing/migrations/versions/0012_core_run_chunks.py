"""A run's customers as a claimed work list, and its counts summed in its row.

``run_chunks`` holds the customers a run's selection resolved to, a few per chunk; any
billing process claims a chunk with a lease (SKIP LOCKED, so two never take the same one),
bills it and marks it done, so a run scales out with billing replicas and a restarted
run goes on where it stopped. ``runs`` keeps what every process needs to help (the
selection, the day it bills on, its job) and the counts every transaction adds to, so a
resumed or shared run reports its whole counts.

Revision ID: billing_0012_core
Revises: billing_0012_audit
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "billing_0012_core"
down_revision = "billing_0012_audit"
branch_labels = None
depends_on = None

COUNTS = ("documents_created", "drafts_created", "customers_skipped")


def upgrade() -> None:
    op.create_table(
        "run_chunks",
        sa.Column("run_id", sa.Uuid, nullable=False),
        sa.Column("chunk_no", sa.Integer, nullable=False),
        sa.Column("customer_ids", ARRAY(sa.Text), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True)),  # claimed until then
        sa.Column("claimed_by", sa.Text),
        sa.Column("done_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("run_id", "chunk_no"),
    )
    op.create_index("run_chunks_to_do", "run_chunks", ["run_id", "chunk_no"],
                    postgresql_where=sa.text("done_at is null"))
    op.add_column("runs", sa.Column("selection", JSONB))  # the ProcessSelected payload
    op.add_column("runs", sa.Column("job_id", sa.Uuid))
    op.add_column("runs", sa.Column("billing_day", sa.Date))
    op.add_column("runs", sa.Column("customers", sa.Integer))
    for name in COUNTS:
        op.add_column("runs", sa.Column(name, sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    for name in (*COUNTS, "customers", "billing_day", "job_id", "selection"):
        op.drop_column("runs", name)
    op.drop_index("run_chunks_to_do", table_name="run_chunks")
    op.drop_table("run_chunks")
