"""Runs: the row that records a run was asked for and how it ended, and the customers a
selection resolves to."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from affbill_contracts.billing import ProcessSelected

START = text("insert into runs (run_id, requested_by, status) values (:r, :by, 'running') "
             "on conflict (run_id) do nothing returning run_id")
# "select all": every customer the generator lists now under the same filters
ALL_CUSTOMERS = text("""
select c.customer_id from customers c
where exists (select 1 from generator_totals g where g.customer_id = c.customer_id
              and (cast(:currency as text) is null or g.currency = :currency)
              and (cast(:period_end as date) is null or g.first_day <= :period_end))
  and (cast(:period_end as date) is null
       or exists (select 1 from billable_items b where b.customer_id = c.customer_id
                  and b.state = 'open' and b.day <= :period_end
                  and (cast(:currency as text) is null or b.currency = :currency)))
  and (cast(:kind as text) is null or c.kind = :kind)
  and (cast(:manager as text) is null or c.account_manager_id = :manager)
order by c.name, c.customer_id
""")
NAMED_CUSTOMERS = text("""
select customer_id from customers where customer_id = any(:ids)
  and (cast(:kind as text) is null or kind = :kind)
  and (cast(:manager as text) is null or account_manager_id = :manager)
""")


async def start(session: AsyncSession, run_id: uuid.UUID, requested_by: str
                ) -> tuple[bool, str]:
    """Record the run (once); returns whether it is new and its status."""
    fresh = (await session.execute(START, {"r": run_id, "by": requested_by})).first()
    status = await session.scalar(text("select status from runs where run_id = :r"),
                                  {"r": run_id})
    return fresh is not None, status


async def finish(session: AsyncSession, run_id: uuid.UUID, counts: dict[str, int]) -> None:
    await session.execute(text(
        "update runs set status = 'finished', finished_at = now(), counts = :c "
        "where run_id = :r"), {"c": orjson.dumps(counts).decode(), "r": run_id})


async def processed(session: AsyncSession, consumer: str, event_id: uuid.UUID) -> bool:
    """Whether the consumer's inbox holds this event (its effect is committed)."""
    return bool(await session.scalar(text(
        "select 1 from inbox where consumer = :c and event_id = :e"),
        {"c": consumer, "e": event_id}))


async def selected_customers(session: AsyncSession, run: ProcessSelected) -> list[str]:
    """The customers a selection names, in billing order: every customer in the generator
    (all_customers), or the named ones and then the owners of the named items; the
    customer filters (kind, account manager) narrow either."""
    filters: dict[str, Any] = {"kind": run.customer_kind, "manager": run.account_manager_id}
    if run.all_customers:
        return list((await session.execute(ALL_CUSTOMERS, {
            **filters, "currency": run.currency, "period_end": run.period_end})).scalars())
    chosen = list(dict.fromkeys(run.customer_ids))
    if run.item_ids:
        owners = (await session.execute(text(
            "select distinct customer_id from billable_items where item_id = any(:i)"),
            {"i": list(run.item_ids)})).scalars().all()
        chosen += [c for c in owners if c not in chosen]
    if run.customer_kind or run.account_manager_id:
        kept = set((await session.execute(NAMED_CUSTOMERS, {**filters, "ids": chosen})
                    ).scalars())
        chosen = [c for c in chosen if c in kept]
    return chosen
