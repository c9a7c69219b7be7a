"""A job can end cancelled (a sync stopped on request).

Revision ID: jobs_0004_ops
Revises: jobs_0003_ops
"""

from alembic import op

revision = "jobs_0004_ops"
down_revision = "jobs_0003_ops"
branch_labels = None
depends_on = None

BEFORE = ("queued", "running", "succeeded", "succeeded_with_warnings", "failed")
AFTER = (*BEFORE, "cancelled")


def upgrade() -> None:
    op.drop_constraint("jobs_status", "jobs", type_="check")
    op.create_check_constraint("jobs_status", "jobs", f"status in {AFTER}")


def downgrade() -> None:
    op.drop_constraint("jobs_status", "jobs", type_="check")
    op.create_check_constraint("jobs_status", "jobs", f"status in {BEFORE}")
