"""rejected_messages in the one shape every service shares (affbill_runtime.tables):
the position of each rejected message, kept once per position.

Revision ID: billing_0012_poison
Revises: billing_0012_core
"""

from affbill_runtime.migration_ops import align_rejected_messages_v1, unalign_rejected_messages_v1

revision = "billing_0012_poison"
down_revision = "billing_0012_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    align_rejected_messages_v1()


def downgrade() -> None:
    unalign_rejected_messages_v1()
