"""The messaging tables every service schema has: outbox, inbox, rejected messages
(migration_ops.py creates them: ``create_messaging_tables_v1``, ``add_outbox_failures_v2``,
``align_rejected_messages_v1``, ``add_outbox_traceparent_v1``)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", Uuid, nullable=False, unique=True),
        Column("topic", Text, nullable=False),
        Column("key", Text, nullable=True),
        Column("value", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True), nullable=True),
        # set aside by the relay: Kafka refused the row for good (relay.py); never purged
        Column("failed_at", DateTime(timezone=True), nullable=True),
        Column("failure", Text, nullable=True),
        # W3C traceparent of the span that wrote the row, sent as a Kafka header (outbox.py)
        Column("traceparent", Text, nullable=True),
        Index("outbox_unpublished", "id", postgresql_where=text("published_at IS NULL")),
        Index("outbox_failed", "key", "id", postgresql_where=text("failed_at IS NOT NULL")),
    )


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("consumer", Text, nullable=False),
        Column("event_id", Uuid, nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False,
               server_default=func.now()),
        PrimaryKeyConstraint("consumer", "event_id"),
        Index("inbox_processed_at", "processed_at", postgresql_using="brin"),
    )


def rejected_messages_table(metadata: MetaData) -> Table:
    """Messages a consumer could not apply, with the reason; one per position (a message
    redelivered at the same topic, partition and offset is kept once)."""
    return Table(
        "rejected_messages",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("topic", Text, nullable=False),
        Column("partition", Integer),
        Column("offset", BigInteger),
        Column("reason", Text, nullable=False),
        Column("raw", LargeBinary, nullable=False),
        Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        UniqueConstraint("topic", "partition", "offset", name="rejected_messages_position"),
    )


# Runtime handles on the tables; the search_path picks the service's schema.
_metadata = MetaData()
OUTBOX = outbox_table(_metadata)
INBOX = inbox_table(_metadata)
REJECTED_MESSAGES = rejected_messages_table(_metadata)
