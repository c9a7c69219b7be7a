"""Billable items as runs, drafts and cancellations read and move them.

The ingest recompute (what an item holds) is in adtracker_facts.py; the statements that
invoice items together with their document's row are in invoices/pending.py.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from affbill_billing.domain.drafts import Draft
from affbill_billing.domain.grouping import Item
from affbill_billing.domain.runs import RunContext

OPEN_ITEMS = """
select customer_id, item_id, offer_id, offer_name, day, currency, units, revenue
from billable_items
where customer_id = any($1::text[]) and state = 'open' and draft_id is null
  and ($2::date is null or day <= $2::date) and ($3::text is null or currency = $3::text)
order by customer_id, day, offer_id
"""
# the customer's transaction begins with this statement (through the session, which
# begins it); the statements after it go straight to asyncpg on the same connection
LOCK_ITEMS = """
select item_id, offer_id, offer_name, day, currency, units, revenue from billable_items
where customer_id = $1 and state = 'open' and draft_id is null
  and ($2::uuid[] is null or item_id = any($2::uuid[]))
  and ($3::date is null or day <= $3::date) and ($4::text is null or currency = $4::text)
order by day, offer_id for update skip locked
"""


async def open_items(conn: Any, customers: Sequence[str], ctx: RunContext
                     ) -> dict[str, list[Item]]:
    """The open items of some customers as the run selects them, read without locking."""
    out: dict[str, list[Item]] = {}
    for r in await conn.fetch(OPEN_ITEMS, list(customers), ctx.read_until(), ctx.currency):
        out.setdefault(r[0], []).append(Item(*r[1:]))
    return out


async def lock_open_items(session: AsyncSession, customer: str, ctx: RunContext,
                          last_day: dt.date) -> tuple[Any, list[Item]]:
    """Lock a customer's selected open items up to ``last_day`` (SKIP LOCKED: another run
    holding one keeps it); returns the transaction's asyncpg connection with them."""
    connection = await session.connection()
    rows = (await connection.exec_driver_sql(LOCK_ITEMS, (
        customer, ctx.item_ids_for(customer), last_day, ctx.currency))).all()
    raw = (await connection.get_raw_connection()).driver_connection
    return raw, [Item(*r) for r in rows]


async def lock_cart_items(session: AsyncSession, item_ids: list[uuid.UUID]) -> list[Any]:
    """The chosen items, locked (a run holding one makes us wait, then we see it invoiced)."""
    return list((await session.execute(text(
        "select item_id, customer_id, offer_id, offer_name, day, currency, units, revenue, "
        "state, draft_id from billable_items where item_id = any(:i) order by item_id for update"),
        {"i": item_ids})).all())


async def reserve(session: AsyncSession, draft_id: uuid.UUID, item_ids: list[uuid.UUID]) -> None:
    if item_ids:
        await session.execute(text("update billable_items set draft_id = :d, updated_at = now() "
                                   "where item_id = any(:i)"), {"d": draft_id, "i": item_ids})


async def release(session: AsyncSession, item_ids: list[uuid.UUID]) -> None:
    """Items back to the generator: open and in no draft."""
    if item_ids:
        await session.execute(text("update billable_items set draft_id = null, updated_at = now() "
                                   "where item_id = any(:i)"), {"i": item_ids})


async def release_draft(session: AsyncSession, draft_id: uuid.UUID) -> None:
    """Every item a draft reserved back to the generator (discard)."""
    await session.execute(text("update billable_items set draft_id = null, updated_at = now() "
                               "where draft_id = :d"), {"d": draft_id})


async def invoice_draft_items(session: AsyncSession, draft_id: uuid.UUID) -> None:
    """The items a draft reserved are invoiced by the invoice it became (same id)."""
    await session.execute(text(
        "update billable_items set state = 'invoiced', invoice_id = :id, draft_id = null, "
        "updated_at = now() where draft_id = :id"), {"id": draft_id})


async def restated(session: AsyncSession, draft: Draft) -> list[uuid.UUID]:
    """Reserved items whose amount moved since they were reserved (a restatement)."""
    if not draft.items:
        return []
    current = {r.item_id: (r.revenue, r.units) for r in (await session.execute(text(
        "select item_id, revenue, units from billable_items where item_id = any(:i) "
        "and state = 'open'"), {"i": [i.item_id for i in draft.items]})).all()}
    return [i.item_id for i in draft.items if current.get(i.item_id) != (i.revenue, i.units)]


async def current_items(session: AsyncSession, draft: Draft) -> list[Item]:
    rows = (await session.execute(text(
        "select item_id, offer_id, offer_name, day, currency, units, revenue from billable_items "
        "where item_id = any(:i) and state = 'open'"),
        {"i": [i.item_id for i in draft.items]})).all()
    return [Item(*r) for r in rows]


RETURN_ITEMS = [
    # an item whose (customer, offer, day, currency) has an open item again (a restatement
    # adjustment) merges into it: one open item per key, open + invoiced = the source
    text("""
    with returned as (
        select item_id, customer_id, offer_id, day, currency, units, revenue
        from billable_items where invoice_id = :id and state = 'invoiced'),
    merged as (
        update billable_items o set revenue = o.revenue + r.revenue, units = o.units + r.units,
            updated_at = now()
        from returned r
        where o.state = 'open' and (o.customer_id, o.offer_id, o.day, o.currency)
            = (r.customer_id, r.offer_id, r.day, r.currency)
        returning r.item_id)
    delete from billable_items where item_id in (select item_id from merged)"""),
    text("update billable_items set state = 'open', invoice_id = null, updated_at = now() "
         "where invoice_id = :id and state = 'invoiced'"),
    text("delete from billable_items where state = 'open' and draft_id is null "
         "and revenue = 0 and units = 0 and customer_id = :customer"),
]


async def return_to_generator(session: AsyncSession, invoice_id: uuid.UUID, customer: str
                              ) -> None:
    """A cancelled invoice's items are open again (merged into an open adjustment)."""
    for statement in RETURN_ITEMS:
        await session.execute(statement, {"id": invoice_id, "customer": customer})
