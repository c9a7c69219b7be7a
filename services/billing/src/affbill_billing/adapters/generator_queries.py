"""Read side of the generator: one line per customer with open items, and its drill-down.

Items reserved by a draft stay open but are shown apart ("in drafts"): the open total and
the threshold status count only what a batch run could take.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass(frozen=True)
class GeneratorFilter:
    customer: str | None = None  # id, or part of the name
    account_manager: str | None = None
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    currency: str | None = None


ITEM_FILTER = """
    b.state = 'open'
    and (cast(:period_from as date) is null or b.day >= :period_from)
    and (cast(:period_to as date) is null or b.day <= :period_to)
    and (cast(:currency as text) is null or b.currency = :currency)
"""
CUSTOMER_FILTER = """
    (cast(:customer as text) is null or c.customer_id = :customer or c.name ilike '%' || :customer || '%')
    and (cast(:account_manager as text) is null or c.account_manager_id = :account_manager)
"""
LIST = f"""
with open_items as (
    select b.customer_id, b.currency,
           coalesce(sum(b.revenue) filter (where b.draft_id is null), 0) as total,
           count(*) filter (where b.draft_id is null) as items,
           count(*) filter (where b.draft_id is not null) as draft_items,
           coalesce(sum(b.revenue) filter (where b.draft_id is not null), 0) as draft_total,
           min(b.day) as first_day, max(b.day) as last_day
    from billable_items b where {ITEM_FILTER}
    group by b.customer_id, b.currency),
chosen as (
    select c.customer_id, c.name, c.account_manager_id, count(*) over () as customers
    from customers c
    where {CUSTOMER_FILTER} and exists (select 1 from open_items o where o.customer_id = c.customer_id)
    order by c.name, c.customer_id limit :limit offset :offset)
select ch.customer_id, ch.name, ch.account_manager_id, ch.customers, o.currency, o.total,
       o.items, o.draft_items, o.draft_total, o.first_day, o.last_day, p.threshold_amount, p.threshold_currency,
       coalesce(pc.pending, 0) as pending_count, coalesce(pc.value, 0) as pending_value
from chosen ch
join open_items o using (customer_id)
left join billing_profiles p using (customer_id)
left join lateral (
    select count(*) as pending, sum(revenue) as value from conversions v
    where v.customer_id = ch.customer_id and v.status = 'pending' and v.currency = o.currency
) pc on true
order by ch.name, ch.customer_id, o.currency
"""
ITEMS = f"""
select b.item_id, b.offer_id, b.offer_name, b.day, b.currency, b.units, b.revenue,
       b.adjusts_invoice_id, b.draft_id, count(*) over () as total_items
from billable_items b
where b.customer_id = :customer_id and {ITEM_FILTER}
  and (cast(:offer_id as text) is null or b.offer_id = :offer_id)
order by b.day, b.offer_id, b.currency
limit :limit offset :offset
"""


async def generator_rows(engine: AsyncEngine, f: GeneratorFilter, limit: int, offset: int
                         ) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        rows = await conn.execute(text(LIST), {**f.__dict__, "limit": limit, "offset": offset})
        return [dict(r) for r in rows.mappings()]


async def open_items(engine: AsyncEngine, customer_id: str, f: GeneratorFilter,
                     offer_id: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        rows = await conn.execute(text(ITEMS), {
            "customer_id": customer_id, "period_from": f.period_from, "period_to": f.period_to,
            "currency": f.currency, "offer_id": offer_id, "limit": limit, "offset": offset})
        return [dict(r) for r in rows.mappings()]
