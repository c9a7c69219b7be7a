"""Sync runs, fingerprints, day digests, quarantine.

Revision ID: sync_0002
Revises: sync_0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "sync_0002"
down_revision = "sync_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_runs",
        sa.Column("job_id", sa.Uuid, primary_key=True),
        sa.Column("connector", sa.Text, nullable=False),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("date_from", sa.Date, nullable=False),
        sa.Column("date_to", sa.Date, nullable=False),
        sa.Column("requested_by", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("counts", JSONB, nullable=False, server_default="{}"),
        sa.Column("reason", sa.Text),
    )
    op.create_index("sync_runs_queue", "sync_runs", ["status", "requested_at"])
    op.create_table(
        "fingerprints",
        sa.Column("connector", sa.Text, nullable=False),
        sa.Column("entity", sa.Text, nullable=False),
        sa.Column("natural_key", sa.Text, nullable=False),
        sa.Column("digest", sa.LargeBinary, nullable=False),
        sa.Column("stat_date", sa.Date),
        sa.Column("state", sa.Text),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("connector", "entity", "natural_key"),
    )
    op.create_index("fingerprints_day", "fingerprints", ["connector", "entity", "stat_date"])
    op.create_table(
        "day_digests",
        sa.Column("connector", sa.Text, nullable=False),
        sa.Column("stat_date", sa.Date, nullable=False),
        sa.Column("digest", sa.LargeBinary, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("connector", "stat_date"),
    )
    op.create_table(
        "quarantine",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.Uuid, nullable=False),
        sa.Column("connector", sa.Text, nullable=False),
        sa.Column("entity", sa.Text, nullable=False),
        sa.Column("natural_key", sa.Text),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("raw", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    op.create_index("quarantine_by_job", "quarantine", ["job_id"])
    op.create_index("quarantine_by_connector", "quarantine", ["connector", "created_at"])


def downgrade() -> None:
    for table in ("quarantine", "day_digests", "fingerprints", "sync_runs"):
        op.drop_table(table)
