"""The generator's open totals per customer and currency, kept by the database itself.

`generator_totals` holds, per (customer, currency) with open items, what the generator
list shows: open items and their sum (not in a draft), items in drafts and their sum,
and the first and last day of all open items. Statement-level triggers on
billable_items apply each statement's changes set-based (transition tables) in the
statement's own transaction, so ingest, restatements, runs, drafts, discards and
cancellations keep it exact without knowing it exists. Sums and counts move by deltas;
the first/last day is recomputed from the items only for groups whose boundary day
lost an item. A group without open items has no row.

Revision ID: billing_0009
Revises: billing_0008
"""

import sqlalchemy as sa
from alembic import op

from affbill_billing.adapters.sql import load

revision = "billing_0009"
down_revision = "billing_0008"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(28, 10)


def upgrade() -> None:
    op.create_table(
        "generator_totals",
        sa.Column("customer_id", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("items", sa.Integer, nullable=False),  # open, in no draft
        sa.Column("total", MONEY, nullable=False),
        sa.Column("draft_items", sa.Integer, nullable=False),  # open, reserved by a draft
        sa.Column("draft_total", MONEY, nullable=False),
        sa.Column("first_day", sa.Date),  # of all open items, drafts included
        sa.Column("last_day", sa.Date),
        sa.PrimaryKeyConstraint("customer_id", "currency"),
    )
    # the trigger function's body is adapters/sql/generator_totals_apply.sql
    op.execute(load("generator_totals_apply.sql"))
    for event, tables in (("insert", "new table as new_rows"),
                          ("update", "old table as old_rows new table as new_rows"),
                          ("delete", "old table as old_rows")):
        op.execute(f"create trigger generator_totals_{event} after {event} on billable_items "
                   f"referencing {tables} for each statement "
                   "execute function generator_totals_apply()")
    op.execute("""
        insert into generator_totals
        select customer_id, currency, count(*) filter (where draft_id is null),
               coalesce(sum(revenue) filter (where draft_id is null), 0),
               count(*) filter (where draft_id is not null),
               coalesce(sum(revenue) filter (where draft_id is not null), 0), min(day), max(day)
        from billable_items where state = 'open' group by customer_id, currency""")
    # the generator's page walks customers by name
    op.create_index("customers_by_name", "customers", ["name", "customer_id"])


def downgrade() -> None:
    op.drop_index("customers_by_name", table_name="customers")
    for event in ("insert", "update", "delete"):
        op.execute(f"drop trigger generator_totals_{event} on billable_items")
    op.execute("drop function generator_totals_apply()")
    op.drop_table("generator_totals")
