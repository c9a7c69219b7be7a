"""Tables of the sync schema. Migrations in ../migrations create them."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

from affbill_runtime.tables import inbox_table, outbox_table

metadata = MetaData()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

# One row per requested sync: the queue and the history. status: queued → running → a JobStatus.
# A running sync renews lease_until; a lapsed lease means its process is gone (worker.py).
sync_runs = Table(
    "sync_runs", metadata,
    Column("job_id", Uuid, primary_key=True),
    Column("connector", Text, nullable=False),
    Column("scope", Text, nullable=False),
    Column("date_from", Date, nullable=False),
    Column("date_to", Date, nullable=False),
    Column("requested_by", Text, nullable=False),
    Column("republish", Boolean, nullable=False, server_default="false"),
    Column("status", Text, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("counts", JSONB, nullable=False, server_default="{}"),
    Column("reason", Text),
    Column("lease_until", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("cancel_requested_by", Text),
    Column("cancel_requested_at", DateTime(timezone=True)),
    Index("sync_runs_queue", "status", "requested_at"),
)

# What was last published per natural key: only changed facts are published again.
fingerprints = Table(
    "fingerprints", metadata,
    Column("connector", Text, nullable=False),
    Column("entity", Text, nullable=False),
    Column("natural_key", Text, nullable=False),
    Column("digest", LargeBinary, nullable=False),
    Column("stat_date", Date),
    Column("state", Text),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("connector", "entity", "natural_key"),
    Index("fingerprints_day", "connector", "entity", "stat_date"),
)

# Stat fingerprints, one row per connector and day: {natural key: digest hex} as JSON.
stat_fingerprints = Table(
    "stat_fingerprints", metadata,
    Column("connector", Text, nullable=False),
    Column("stat_date", Date, nullable=False),
    Column("digests", LargeBinary, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("connector", "stat_date"),
)

# Per day, the digest of its totals per advertiser and currency (the partial-sync probe).
day_digests = Table(
    "day_digests", metadata,
    Column("connector", Text, nullable=False),
    Column("stat_date", Date, nullable=False),
    Column("digest", LargeBinary, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("connector", "stat_date"),
)

quarantine = Table(
    "quarantine", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("job_id", Uuid, nullable=False),
    Column("connector", Text, nullable=False),
    Column("entity", Text, nullable=False),
    Column("natural_key", Text),
    Column("reason", Text, nullable=False),
    Column("raw", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("quarantine_by_job", "job_id"),
    Index("quarantine_by_connector", "connector", "created_at"),
)

# Per rates source and day, the digest of the rates last published: a day is published
# again only when its rates changed (a correction), never twice the same.
rate_days = Table(
    "rate_days", metadata,
    Column("source", Text, nullable=False),
    Column("rate_date", Date, nullable=False),
    Column("digest", LargeBinary, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("source", "rate_date"),
)
