"""Invoice snapshots and outgoing events compressed with lz4 instead of pglz.

Every issued invoice writes its snapshot (about 10 kB of JSON with the item ids of
each line) twice — pending, then numbered — and its event once into the outbox; pglz
compressing those was a tenth of Postgres' time in a batch run (bench/batch_run.py).
lz4 compresses several times faster at a similar ratio. Values already stored keep
their compression until rewritten. Needs a PostgreSQL built with lz4 (every official
build since 14).

Revision ID: billing_0010
Revises: billing_0009
"""

from alembic import op

revision = "billing_0010"
down_revision = "billing_0009"
branch_labels = None
depends_on = None

COLUMNS = (("invoices", "snapshot"), ("outbox", "value"))


def upgrade() -> None:
    for table, column in COLUMNS:
        op.execute(f"alter table {table} alter column {column} set compression lz4")


def downgrade() -> None:
    for table, column in COLUMNS:
        op.execute(f"alter table {table} alter column {column} set compression default")
