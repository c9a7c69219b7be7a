"""rejected_messages in the one shape every service shares (affbill_runtime.tables):
sync.requests messages the sync could not apply, with the reason, once per position.

Revision ID: sync_0004_poison
Revises: sync_0004_audit
"""

from alembic import op

from affbill_runtime.migration_ops import align_rejected_messages_v1

revision = "sync_0004_poison"
down_revision = "sync_0004_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    align_rejected_messages_v1()


def downgrade() -> None:
    op.drop_table("rejected_messages")
