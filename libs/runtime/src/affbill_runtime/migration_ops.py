"""Frozen migration steps shared by every service's first revision.

Never change a function here once released: add a ``_v2`` instead, so old
revisions keep meaning what they meant.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


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


def add_outbox_traceparent_v1() -> None:
    """The outbox row keeps the W3C traceparent of the span that wrote it (tracing.py)."""
    op.add_column("outbox", sa.Column("traceparent", sa.Text, nullable=True))


def drop_outbox_traceparent_v1() -> None:
    op.drop_column("outbox", "traceparent")


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


def add_outbox_failures_v2() -> None:
    """Outbox rows the relay set aside (``failed_at``, ``failure``), found by key, and a
    BRIN index that lets the inbox be purged by age without a scan."""
    op.add_column("outbox", sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("outbox", sa.Column("failure", sa.Text, nullable=True))
    op.create_index("outbox_failed", "outbox", ["key", "id"],
                    postgresql_where=sa.text("failed_at IS NOT NULL"))
    op.create_index("inbox_processed_at", "inbox", ["processed_at"], postgresql_using="brin")


def drop_outbox_failures_v2() -> None:
    op.drop_index("inbox_processed_at", table_name="inbox")
    op.drop_index("outbox_failed", table_name="outbox")
    op.drop_column("outbox", "failure")
    op.drop_column("outbox", "failed_at")


def create_audit_log_v1() -> None:
    """The audit trail (affbill_runtime.audit): append-only, refused UPDATE, DELETE and
    TRUNCATE by trigger, so only a superuser who disables the trigger can alter it — and
    the hash chain then shows it."""
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("actor_role", sa.Text, nullable=True),
        sa.Column("entity_kind", sa.Text, nullable=False),
        sa.Column("entity_id", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("before", postgresql.JSONB, nullable=True),
        sa.Column("after", postgresql.JSONB, nullable=True),
        sa.Column("request_id", sa.Text, nullable=True),
        sa.Column("prev_hash", sa.Text, nullable=False),
        sa.Column("hash", sa.Text, nullable=False),
    )
    op.create_index("audit_log_entity", "audit_log", ["entity_kind", "entity_id", "seq"])
    op.create_index("audit_log_actor", "audit_log", ["actor", "seq"])
    op.create_index("audit_log_at", "audit_log", ["at"])
    op.execute("""
        create function audit_log_append_only() returns trigger language plpgsql as $$
        begin
            raise exception 'the audit trail is append-only (% refused)', tg_op
                using errcode = 'AF002';
        end $$""")
    op.execute("create trigger audit_log_append_only before update or delete on audit_log "
               "for each row execute function audit_log_append_only()")
    op.execute("create trigger audit_log_no_truncate before truncate on audit_log "
               "for each statement execute function audit_log_append_only()")


def drop_audit_log_v1() -> None:
    op.drop_table("audit_log")
    op.execute("drop function audit_log_append_only()")


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
