"""Read side of the margin view: per offer and currency, the advertisers' billed and open
revenue and the affiliates' payout over a period's days (domain/margins folds them)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from affbill_billing.domain.margins import Margin

# an offer is (connector, offer id); its advertiser is the one whose stat rows name it
PER_OFFER = text("""
with items as (
    select c.connector || ':' || b.offer_id as offer, b.offer_name, b.currency, c.kind,
           b.state, b.revenue
    from billable_items b join customers c using (customer_id)
    where b.day between :first and :last),
owners as (
    select distinct on (c.connector, s.offer_id) c.connector || ':' || s.offer_id as offer,
           c.customer_id as advertiser_id
    from stat_rows s join customers c using (customer_id)
    where c.kind = 'advertiser' and s.day between :first and :last
    order by c.connector, s.offer_id, s.updated_at desc)
select i.offer, max(i.offer_name) as name, o.advertiser_id, i.currency,
    coalesce(sum(i.revenue) filter (where i.kind = 'advertiser' and i.state = 'invoiced'), 0)
        as revenue_billed,
    coalesce(sum(i.revenue) filter (where i.kind = 'advertiser' and i.state = 'open'), 0)
        as revenue_open,
    coalesce(sum(i.revenue) filter (where i.kind = 'affiliate'), 0) as payout_owed,
    coalesce(sum(i.revenue) filter (where i.kind = 'affiliate' and i.state = 'invoiced'), 0)
        as payout_paid
from items i left join owners o using (offer)
group by i.offer, o.advertiser_id, i.currency
order by i.offer, i.currency
""")
NAMES = text("select customer_id, name from customers where customer_id = any(:ids)")


async def offer_margins(engine: AsyncEngine, first: dt.date, last: dt.date
                        ) -> tuple[list[Margin], dict[str, str]]:
    """The margins per offer and currency of the days first..last, and the advertisers'
    names."""
    async with engine.connect() as conn:
        rows = (await conn.execute(PER_OFFER, {"first": first, "last": last})).mappings().all()
        owners = sorted({r["advertiser_id"] for r in rows if r["advertiser_id"]})
        names = dict((await conn.execute(NAMES, {"ids": owners})).all()) if owners else {}
    return [Margin(r["offer"], r["name"], r["advertiser_id"], r["currency"],
                   r["revenue_billed"], r["revenue_open"], r["payout_owed"], r["payout_paid"])
            for r in rows], names
