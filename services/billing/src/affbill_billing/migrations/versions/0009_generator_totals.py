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

revision = "billing_0009"
down_revision = "billing_0008"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(28, 10)

# (customer_id, currency, day, revenue, in_draft, sign) per open item that came or went
OPEN = "select customer_id, currency, day, revenue, draft_id is not null, {sign} from {rows} " \
       "where state = 'open'"
CAME = {"INSERT": OPEN.format(sign=1, rows="new_rows"),
        "UPDATE": OPEN.format(sign=-1, rows="old_rows") + " union all "
                  + OPEN.format(sign=1, rows="new_rows"),
        "DELETE": OPEN.format(sign=-1, rows="old_rows")}
APPLY = """
    insert into generator_totals as g (customer_id, currency, items, total, draft_items,
                                       draft_total, first_day, last_day)
    select customer_id, currency,
           coalesce(sum(sign) filter (where not in_draft), 0),
           coalesce(sum(sign * revenue) filter (where not in_draft), 0),
           coalesce(sum(sign) filter (where in_draft), 0),
           coalesce(sum(sign * revenue) filter (where in_draft), 0),
           min(day) filter (where sign > 0), max(day) filter (where sign > 0)
    from ({changes}) as c(customer_id, currency, day, revenue, in_draft, sign)
    group by customer_id, currency
    on conflict (customer_id, currency) do update set
        items = g.items + excluded.items, total = g.total + excluded.total,
        draft_items = g.draft_items + excluded.draft_items,
        draft_total = g.draft_total + excluded.draft_total,
        first_day = least(g.first_day, excluded.first_day),
        last_day = greatest(g.last_day, excluded.last_day);
"""
# groups that lost an open item: gone when empty, else first/last day read again where
# the item that went was on the boundary
SETTLE = """
    delete from generator_totals g using (select distinct customer_id, currency from old_rows
                                          where state = 'open') o
    where (g.customer_id, g.currency) = (o.customer_id, o.currency)
      and g.items = 0 and g.draft_items = 0;
    update generator_totals g set first_day = d.first_day, last_day = d.last_day
    from (select o.customer_id, o.currency, min(b.day) as first_day, max(b.day) as last_day
          from (select customer_id, currency, min(day) as lo, max(day) as hi from old_rows
                where state = 'open' group by 1, 2) o
          join generator_totals t on (t.customer_id, t.currency) = (o.customer_id, o.currency)
               and (o.lo <= t.first_day or o.hi >= t.last_day)
          join billable_items b on b.customer_id = o.customer_id and b.state = 'open'
               and b.currency = o.currency
          group by 1, 2) d
    where (g.customer_id, g.currency) = (d.customer_id, d.currency);
"""


def _function() -> str:
    branches = []
    for op_name, changes in CAME.items():
        body = APPLY.format(changes=changes) + (SETTLE if op_name != "INSERT" else "")
        branches.append(f"if TG_OP = '{op_name}' then {body} end if;")
    return ("create function generator_totals_apply() returns trigger language plpgsql as $$\n"
            "begin\n" + "\n".join(branches) + "\nreturn null;\nend $$")


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
    op.execute(_function())
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
