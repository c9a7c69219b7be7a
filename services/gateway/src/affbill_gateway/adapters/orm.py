"""Tables of the gateway schema. Migrations in ../migrations create them."""

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
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
