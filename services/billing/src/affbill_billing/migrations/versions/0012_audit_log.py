"""The audit trail of every change (append-only, hash-chained; affbill_runtime.audit).

Revision ID: billing_0012_audit
Revises: billing_0012_ops
"""

from affbill_runtime.migration_ops import create_audit_log_v1, drop_audit_log_v1

revision = "billing_0012_audit"
down_revision = "billing_0012_ops"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_audit_log_v1()


def downgrade() -> None:
    drop_audit_log_v1()
