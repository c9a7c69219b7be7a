"""The audit trail of every change (append-only, hash-chained; affbill_runtime.audit).

Revision ID: sync_0004_audit
Revises: sync_0005_ops
"""

from affbill_runtime.migration_ops import create_audit_log_v1, drop_audit_log_v1

revision = "sync_0004_audit"
down_revision = "sync_0005_ops"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_audit_log_v1()


def downgrade() -> None:
    drop_audit_log_v1()
