"""Tables of the gateway schema. Migrations in ../migrations create them."""

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    Table,
    Text,
    Uuid,
    func,
    text,
)

from affbill_runtime.tables import inbox_table, outbox_table

metadata = MetaData()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", Uuid, primary_key=True),
    Column("key_hash", Text, nullable=False, unique=True),  # sha256 hex: the lookup
    Column("prefix", Text, nullable=False),  # first characters, to tell keys apart
    Column("name", Text, nullable=False),  # "who" for the services (X-Affbill-User)
    Column("role", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", Text, nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    CheckConstraint("role in ('admin', 'accountant', 'viewer')", name="api_keys_role"),
    Index("api_keys_active_name", "name", unique=True,
          postgresql_where=text("revoked_at IS NULL")),
)

# the web UI's users (signed in by password or by a trusted SSO header) and their sessions
ui_users = Table(
    "ui_users",
    metadata,
    Column("user_id", Uuid, primary_key=True),
    Column("username", Text, nullable=False, unique=True),  # "who" for the services
    Column("display_name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("password_hash", Text, nullable=True),  # argon2id; none: single sign-on only
    Column("disabled", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", Text, nullable=True),
    CheckConstraint("role in ('admin', 'accountant', 'viewer')", name="ui_users_role"),
)

ui_sessions = Table(
    "ui_sessions",
    metadata,
    Column("session_hash", Text, primary_key=True),  # sha256 hex of the cookie's id
    Column("user_id", Uuid, ForeignKey("ui_users.user_id", ondelete="CASCADE"),
           nullable=False),
    Column("csrf_token", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ui_sessions_expiry", "expires_at"),
    Index("ui_sessions_user", "user_id"),
)
