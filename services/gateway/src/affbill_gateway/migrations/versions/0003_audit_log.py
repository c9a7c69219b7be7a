"""The audit trail of every change (append-only, hash-chained; affbill_runtime.audit).

Revision ID: gateway_0003_audit
Revises: gateway_0003_ops
"""

from affbill_runtime.migration_ops import create_audit_log_v1, drop_audit_log_v1

revision = "gateway_0003_audit"
down_revision = "gateway_0003_ops"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_audit_log_v1()


def downgrade() -> None:
    drop_audit_log_v1()
