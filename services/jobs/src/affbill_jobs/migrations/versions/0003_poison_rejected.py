"""rejected_messages in the one shape every service shares (affbill_runtime.tables):
the position of each rejected message, kept once per position.

Revision ID: jobs_0003_poison
Revises: jobs_0004_ops
"""

from affbill_runtime.migration_ops import align_rejected_messages_v1, unalign_rejected_messages_v1

revision = "jobs_0003_poison"
down_revision = "jobs_0004_ops"
branch_labels = None
depends_on = None


def upgrade() -> None:
    align_rejected_messages_v1()


def downgrade() -> None:
    unalign_rejected_messages_v1()
