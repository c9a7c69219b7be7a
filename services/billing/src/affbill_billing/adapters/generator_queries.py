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
    kind: str | None = None  # the side: advertiser (invoices) or affiliate (payouts)


ITEM_FILTER = """
    b.state = 'open'
    and (cast(:period_from as date) is null or b.day >= :period_from)
    and (cast(:period_to as date) is null or b.day <= :period_to)
    and (cast(:currency as text) is null or b.currency = :currency)
"""
CUSTOMER_FILTER = """
    (cast(:customer as text) is null or c.customer_id = :customer
     or c.name ilike '%' || :customer || '%')
    and (cast(:account_manager as text) is null or c.account_manager_id = :account_manager)
    and (cast(:kind as text) is null or c.kind = :kind)
"""
# Without a period, a line comes from generator_totals (kept by triggers, migration 0009):
# the page walks customers by name and stops after it; the count is a second query.
# With a period, the open items of the page's customers are summed for that period.
TOTALS_FILTER = """(cast(:currency as text) is null or g.currency = :currency)
    and (cast(:period_to as date) is null or g.first_day <= :period_to)
    and (cast(:period_from as date) is null or g.last_day >= :period_from)"""
PAGE = f"""
select c.customer_id, c.name, c.account_manager_id from customers c
where {CUSTOMER_FILTER}
  and exists (select 1 from generator_totals g where g.customer_id = c.customer_id
              and {TOTALS_FILTER})
  and (cast(:period_from as date) is null and cast(:period_to as date) is null
       or exists (select 1 from billable_items b where b.customer_id = c.customer_id
                  and {ITEM_FILTER}))
order by c.name, c.customer_id limit :limit offset :offset
"""
COUNT = f"""
select count(*) from customers c
where {CUSTOMER_FILTER}
  and exists (select 1 from generator_totals g where g.customer_id = c.customer_id
              and {TOTALS_FILTER})
  and (cast(:period_from as date) is null and cast(:period_to as date) is null
       or exists (select 1 from billable_items b where b.customer_id = c.customer_id
                  and {ITEM_FILTER}))
"""
TOTALS = f"""
select g.customer_id, g.currency, g.total, g.items, g.draft_items, g.draft_total,
       g.first_day, g.last_day
from generator_totals g where g.customer_id = any(:customers) and {TOTALS_FILTER}
"""
PERIOD_TOTALS = f"""
select b.customer_id, b.currency,
       coalesce(sum(b.revenue) filter (where b.draft_id is null), 0) as total,
       count(*) filter (where b.draft_id is null) as items,
       count(*) filter (where b.draft_id is not null) as draft_items,
       coalesce(sum(b.revenue) filter (where b.draft_id is not null), 0) as draft_total,
       min(b.day) as first_day, max(b.day) as last_day
from billable_items b where b.customer_id = any(:customers) and {ITEM_FILTER}
group by b.customer_id, b.currency
"""
EXTRAS = """
select p.customer_id, p.threshold_amount, p.threshold_currency, v.currency,
       count(v.*) as pending_count, coalesce(sum(v.revenue), 0) as pending_value
from billing_profiles p
left join conversions v on v.customer_id = p.customer_id and v.status = 'pending'
where p.customer_id = any(:customers)
group by p.customer_id, p.threshold_amount, p.threshold_currency, v.currency
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
                         ) -> tuple[int, list[dict[str, Any]]]:
    """The number of customers in the generator (after the filters) and the page's lines:
    one row per customer and currency, in page order."""
    params = {**f.__dict__, "limit": limit, "offset": offset}
    async with engine.connect() as conn:
        page = (await conn.execute(text(PAGE), params)).mappings().all()
        if not page:
            return await conn.scalar(text(COUNT), params) if offset else 0, []
        counted = (len(page) if offset == 0 and len(page) < limit
                   else await conn.scalar(text(COUNT), params))
        ids = [c["customer_id"] for c in page]
        by_period = f.period_from is not None or f.period_to is not None
        totals = (await conn.execute(text(PERIOD_TOTALS if by_period else TOTALS),
                                     {**params, "customers": ids})).mappings().all()
        extras = (await conn.execute(text(EXTRAS), {"customers": ids})).mappings().all()
    profile = {e["customer_id"]: e for e in extras}
    pending = {(e["customer_id"], e["currency"]): e for e in extras}
    rows = []
    for c in page:
        p = profile.get(c["customer_id"], {})
        for t in sorted((t for t in totals if t["customer_id"] == c["customer_id"]),
                        key=lambda t: t["currency"]):
            v = pending.get((c["customer_id"], t["currency"]), {})
            rows.append({**c, **t, "threshold_amount": p.get("threshold_amount"),
                         "threshold_currency": p.get("threshold_currency"),
                         "pending_count": v.get("pending_count", 0),
                         "pending_value": v.get("pending_value", 0)})
    return counted, rows


async def open_items(engine: AsyncEngine, customer_id: str, f: GeneratorFilter,
                     offer_id: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        rows = await conn.execute(text(ITEMS), {
            "customer_id": customer_id, "period_from": f.period_from, "period_to": f.period_to,
            "currency": f.currency, "offer_id": offer_id, "limit": limit, "offset": offset})
        return [dict(r) for r in rows.mappings()]
