"""The web UI's users (argon2 password hashes, roles, disabled flag) and their sessions.

Revision ID: gateway_0004_ui
Revises: gateway_0003_audit
"""

import sqlalchemy as sa
from alembic import op

revision = "gateway_0004_ui"
down_revision = "gateway_0003_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ui_users",
        sa.Column("user_id", sa.Uuid, primary_key=True),
        sa.Column("username", sa.Text, nullable=False, unique=True),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=True),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("created_by", sa.Text, nullable=True),
        sa.CheckConstraint("role in ('admin', 'accountant', 'viewer')", name="ui_users_role"),
    )
    op.create_table(
        "ui_sessions",
        sa.Column("session_hash", sa.Text, primary_key=True),
        sa.Column("user_id", sa.Uuid, sa.ForeignKey("ui_users.user_id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("csrf_token", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ui_sessions_expiry", "ui_sessions", ["expires_at"])
    op.create_index("ui_sessions_user", "ui_sessions", ["user_id"])


def downgrade() -> None:
    op.drop_table("ui_sessions")
    op.drop_table("ui_users")
