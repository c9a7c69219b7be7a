"""Frozen migration steps shared by every service's first revision.

Never change a function here once released: add a ``_v2`` instead, so old
revisions keep meaning what they meant.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_messaging_tables_v1() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.Uuid, nullable=False, unique=True),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=True),
        sa.Column("value", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("outbox_unpublished", "outbox", ["id"],
                    postgresql_where=sa.text("published_at IS NULL"))
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.Text, nullable=False),
        sa.Column("event_id", sa.Uuid, nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("consumer", "event_id"),
    )


def drop_messaging_tables_v1() -> None:
    op.drop_table("inbox")
    op.drop_index("outbox_unpublished", table_name="outbox")
    op.drop_table("outbox")


def create_consumer_positions_v1() -> None:
    """Per consumer and partition, the last Kafka offset whose effect is committed: the
    inbox of high-volume fact streams (one row per partition instead of one per event)."""
    op.create_table(
        "consumer_positions",
        sa.Column("consumer", sa.Text, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("partition", sa.Integer, nullable=False),
        sa.Column("offset", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("consumer", "topic", "partition"),
    )


def drop_consumer_positions_v1() -> None:
    op.drop_table("consumer_positions")


def align_rejected_messages_v1() -> None:
    """Bring ``rejected_messages`` to the one shape of ``tables.rejected_messages_table``
    (create it, or add position columns and the once-per-position constraint)."""
    for statement in (
        """create table if not exists rejected_messages (
               id bigserial primary key, topic text not null, partition integer,
               "offset" bigint, reason text not null, raw bytea not null,
               received_at timestamptz not null default now())""",
        "alter table rejected_messages add column if not exists partition integer",
        'alter table rejected_messages add column if not exists "offset" bigint',
        "update rejected_messages set received_at = now() where received_at is null",
        "alter table rejected_messages alter column received_at set not null",
        "alter table rejected_messages alter column received_at set default now()",
        """do $$ begin
               if not exists (select 1 from pg_constraint
                              where conname = 'rejected_messages_position'
                                and conrelid = 'rejected_messages'::regclass) then
                   alter table rejected_messages add constraint rejected_messages_position
                       unique (topic, partition, "offset");
               end if;
           end $$""",
    ):
        op.execute(statement)


def unalign_rejected_messages_v1() -> None:
    """Undo the position columns (the table itself stays: older revisions created it)."""
    for statement in (
        "alter table rejected_messages drop constraint if exists rejected_messages_position",
        'alter table rejected_messages drop column if exists "offset"',
        "alter table rejected_messages drop column if exists partition",
    ):
        op.execute(statement)
