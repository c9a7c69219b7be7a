"""Tables of the jobs schema. Migrations in ../migrations create them."""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from affbill_runtime.tables import inbox_table, outbox_table, rejected_messages_table

metadata = MetaData()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

STATUSES = ("queued", "running", "succeeded", "succeeded_with_warnings", "failed",
            "cancelled")

jobs = Table(
    "jobs", metadata,
    Column("job_id", Uuid, primary_key=True),
    Column("kind", Text),
    Column("title", Text),
    Column("started_by", Text),
    Column("status", Text, nullable=False, server_default="queued"),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("counts", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("reason", Text),
    Column("progress", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("parts", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("line_count", Integer, nullable=False, server_default="0"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint(f"status in {STATUSES}", name="jobs_status"),
    Index("jobs_newest", text("requested_at desc"), text("job_id desc")),
    Index("jobs_by_status", "status", text("requested_at desc")),
    Index("jobs_by_kind", "kind", text("requested_at desc")),
    Index("jobs_by_starter", "started_by", text("requested_at desc")),
)

job_lines = Table(
    "job_lines", metadata,
    Column("job_id", Uuid, nullable=False, primary_key=True),
    Column("line_no", Integer, nullable=False, primary_key=True),  # arrival order in the job
    Column("service", Text, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("level", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("trace_id", Text),  # the trace the line was written in (its event's traceparent)
    UniqueConstraint("job_id", "service", "seq", name="job_lines_natural_key"),
    Index("job_lines_produced", "job_id", "occurred_at", "service", "seq"),
)

rejected_messages = rejected_messages_table(metadata)
