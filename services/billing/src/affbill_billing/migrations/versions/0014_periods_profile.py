"""Billing periods: each profile's billing frequency and due-date basis; the syncs that
succeeded (a period is ready after one).

Revision ID: billing_0014_periods
Revises: billing_0013_docs
"""

import sqlalchemy as sa
from alembic import op

revision = "billing_0014_periods"
down_revision = "billing_0013_docs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("billing_profiles", sa.Column("billing_frequency", sa.Text, nullable=False,
                                                server_default="monthly"))
    op.add_column("billing_profiles", sa.Column("due_date_basis", sa.Text, nullable=False,
                                                server_default="issue_date"))
    # a parked customer is left out of runs until unparked (null)
    op.add_column("billing_profiles", sa.Column("parked_reason", sa.Text))
    op.create_check_constraint(
        "billing_profiles_billing_frequency", "billing_profiles",
        "billing_frequency in ('weekly', 'biweekly', 'monthly', 'quarterly')")
    op.create_check_constraint(
        "billing_profiles_due_date_basis", "billing_profiles",
        "due_date_basis in ('issue_date', 'generation_date')")
    op.create_table(
        "sync_outcomes",
        sa.Column("job_id", sa.Uuid, primary_key=True),  # the sync's job
        sa.Column("connector", sa.Text, nullable=False),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("date_from", sa.Date, nullable=False),
        sa.Column("date_to", sa.Date, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    op.create_index("sync_outcomes_connector", "sync_outcomes", ["connector", "started_at"])


def downgrade() -> None:
    op.drop_table("sync_outcomes")
    op.drop_constraint("billing_profiles_due_date_basis", "billing_profiles")
    op.drop_constraint("billing_profiles_billing_frequency", "billing_profiles")
    op.drop_column("billing_profiles", "parked_reason")
    op.drop_column("billing_profiles", "due_date_basis")
    op.drop_column("billing_profiles", "billing_frequency")
