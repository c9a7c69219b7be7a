"""The job log read model: jobs (derived from their parts) and their log lines.

Revision ID: jobs_0002
Revises: jobs_0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "jobs_0002"
down_revision = "jobs_0001"
branch_labels = None
depends_on = None

STATUSES = ("queued", "running", "succeeded", "succeeded_with_warnings", "failed")


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("job_id", sa.Uuid, primary_key=True),
        sa.Column("kind", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("started_by", sa.Text),
        sa.Column("status", sa.Text, nullable=False, server_default="queued"),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("counts", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("reason", sa.Text),
        sa.Column("progress", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("parts", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("line_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.CheckConstraint(f"status in {STATUSES}", name="jobs_status"),
    )
    op.create_index("jobs_newest", "jobs", [sa.text("requested_at desc"), sa.text("job_id desc")])
    for name, column in (("jobs_by_status", "status"), ("jobs_by_kind", "kind"),
                         ("jobs_by_starter", "started_by")):
        op.create_index(name, "jobs", [column, sa.text("requested_at desc")])
    op.create_table(
        "job_lines",
        sa.Column("job_id", sa.Uuid, nullable=False),
        sa.Column("line_no", sa.Integer, nullable=False),
        sa.Column("service", sa.Text, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("job_id", "line_no"),
        sa.UniqueConstraint("job_id", "service", "seq", name="job_lines_natural_key"),
    )
    op.create_index("job_lines_produced", "job_lines", ["job_id", "occurred_at", "service", "seq"])
    op.create_table(
        "rejected_messages",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("raw", sa.LargeBinary, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )


def downgrade() -> None:
    for table in ("rejected_messages", "job_lines", "jobs"):
        op.drop_table(table)
