"""Scheduled runs: schedules as data, each period's run of a schedule once, and who leads.

``schedules`` holds what a schedule bills (a billing frequency, narrowed by kind, currency
or account manager), its generation delay, and whether it is paused. ``scheduled_runs``
holds one row per schedule and period: the key that makes the run happen once, whether it
waits for the period to be ready (and why) or was started. ``schedule_leadership`` names
the billing process that executes schedules now (one row).

Revision ID: billing_0017_sched
Revises: billing_0014_docs2
"""

import sqlalchemy as sa
from alembic import op

revision = "billing_0017_sched"
down_revision = "billing_0014_docs2"
branch_labels = None
depends_on = None

NOW = sa.func.now()


def upgrade() -> None:
    op.create_table(
        "schedules",
        sa.Column("schedule_id", sa.Text, primary_key=True),
        sa.Column("frequency", sa.Text, nullable=False),
        sa.Column("delay_days", sa.Integer, nullable=False),
        sa.Column("hour", sa.Integer, nullable=False),
        sa.Column("first_period_start", sa.Date, nullable=False),
        sa.Column("customer_kind", sa.Text),
        sa.Column("currency", sa.Text),
        sa.Column("account_manager_id", sa.Text),
        sa.Column("invoice_date_rule", sa.Text),
        sa.Column("due_date_basis", sa.Text),
        sa.Column("paused_reason", sa.Text),  # null: active
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.CheckConstraint("frequency in ('weekly', 'biweekly', 'monthly', 'quarterly')",
                           name="schedules_frequency"),
        sa.CheckConstraint("delay_days between 0 and 60", name="schedules_delay_days"),
        sa.CheckConstraint("hour between 0 and 23", name="schedules_hour"),
    )
    op.create_table(
        "scheduled_runs",
        sa.Column("schedule_id", sa.Text, sa.ForeignKey("schedules.schedule_id"),
                  nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("run_id", sa.Uuid, nullable=False, unique=True),  # the run's key and job
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("waiting_for", sa.Text),  # why it has not started yet
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("started_by", sa.Text),  # the leading process that started it
        sa.PrimaryKeyConstraint("schedule_id", "period_start"),
        sa.CheckConstraint("status in ('waiting', 'started')", name="scheduled_runs_status"),
    )
    op.create_table(
        "schedule_leadership",
        sa.Column("one", sa.Boolean, primary_key=True, server_default=sa.true()),
        sa.Column("holder", sa.Text, nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.CheckConstraint("one", name="schedule_leadership_one_row"),
    )


def downgrade() -> None:
    op.drop_table("schedule_leadership")
    op.drop_table("scheduled_runs")
    op.drop_table("schedules")
