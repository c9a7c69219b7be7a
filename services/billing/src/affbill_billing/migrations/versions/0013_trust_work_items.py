"""Work items: a command (a run, a bulk issue) recorded at once, executed by a leased worker.

Revision ID: billing_0013_trust
Revises: billing_0012_trust
"""

import sqlalchemy as sa
from alembic import op

revision = "billing_0013_trust"
down_revision = "billing_0012_trust"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "work_items",
        sa.Column("item_id", sa.Uuid, primary_key=True),  # the command's event id
        sa.Column("kind", sa.Text, nullable=False),  # the command's event type
        # what the command works on (a run's id, a bulk issue's job): one item each, so a
        # command sent twice under new event ids still never runs twice in parallel
        sa.Column("subject", sa.Uuid, nullable=False, unique=True),
        sa.Column("job_id", sa.Uuid, nullable=False),
        sa.Column("command", sa.LargeBinary, nullable=False),  # the envelope as received
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("lease_owner", sa.Text),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("status in ('pending', 'running', 'done', 'failed')",
                           name="work_items_status"),
        sa.CheckConstraint("(status = 'running') = (lease_owner is not null "
                           "and lease_until is not null)", name="work_items_lease"),
    )
    op.create_index("work_items_to_claim", "work_items", ["recorded_at"],
                    postgresql_where=sa.text("status in ('pending', 'running')"))


def downgrade() -> None:
    op.drop_table("work_items")
