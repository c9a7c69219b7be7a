"""Dry runs: what a run would do, per customer and currency, kept for the CSV download;
period locks: a locked period is never billed again (restatements go to the next one);
the threshold ledger and the threshold's maximum age.

Revision ID: billing_0015_periods
Revises: billing_0014_periods
"""

import sqlalchemy as sa
from alembic import op

revision = "billing_0015_periods"
down_revision = "billing_0014_periods"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the threshold's maximum age: below it, items carried this many periods are billed
    op.add_column("billing_profiles", sa.Column("threshold_max_periods", sa.Integer))
    op.create_check_constraint("billing_profiles_threshold_max_periods", "billing_profiles",
                               "threshold_max_periods between 1 and 120")
    op.create_table(
        "threshold_ledger",  # what each run carried below the threshold, per customer
        sa.Column("run_id", sa.Uuid, nullable=False),
        sa.Column("customer_id", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("carried", sa.Numeric(28, 10), nullable=False),
        sa.Column("threshold", sa.Numeric(28, 10), nullable=False),
        sa.Column("items", sa.Integer, nullable=False),
        sa.Column("oldest_day", sa.Date, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("customer_id", "run_id", "currency"),
    )
    op.create_table(
        "dry_run_lines",
        sa.Column("run_id", sa.Uuid, nullable=False),
        sa.Column("line_no", sa.Integer, nullable=False),
        sa.Column("customer_id", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("document_type", sa.Text),
        sa.Column("items", sa.Integer, nullable=False),
        sa.Column("net_total", sa.Numeric(28, 10)),
        sa.Column("gross_total", sa.Numeric(28, 10)),
        sa.Column("previous_net_total", sa.Numeric(28, 10)),
        sa.Column("change_percent", sa.Numeric(28, 1)),
        sa.Column("reason", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("run_id", "line_no"),
    )


    op.create_table(
        "period_locks",
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("locked_by", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("period_start", "period_end"),
        sa.CheckConstraint("period_start <= period_end", name="period_locks_days"),
    )


def downgrade() -> None:
    op.drop_table("threshold_ledger")
    op.drop_constraint("billing_profiles_threshold_max_periods", "billing_profiles")
    op.drop_column("billing_profiles", "threshold_max_periods")
    op.drop_table("period_locks")
    op.drop_table("dry_run_lines")
