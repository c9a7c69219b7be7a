"""Runs: the row that records a run (its selection, its counts summed by every transaction
that adds to them) and its customers as a claimed work list of chunks."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from affbill_billing.domain.runs import RunCounts
from affbill_contracts.billing import ProcessSelected

START = text("""
insert into runs (run_id, requested_by, status, selection, job_id, billing_day)
values (:r, :by, 'running', cast(:selection as jsonb), :job, :day)
on conflict (run_id) do nothing returning run_id""")
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
  and (cast(:frequency as text) is null or exists (
       select 1 from billing_profiles p where p.customer_id = c.customer_id
       and p.billing_frequency = :frequency))
order by c.name, c.customer_id
""")
NAMED_CUSTOMERS = text("""
select customer_id from customers where customer_id = any(:ids)
  and (cast(:kind as text) is null or kind = :kind)
  and (cast(:manager as text) is null or account_manager_id = :manager)
  and (cast(:frequency as text) is null or exists (
       select 1 from billing_profiles p where p.customer_id = customers.customer_id
       and p.billing_frequency = :frequency))
""")
# the lowest chunk nobody works on (never claimed, or its lease ran out); SKIP LOCKED: two
# processes claiming at once get different chunks
CLAIM = text("""
update run_chunks c set lease_until = now() + make_interval(secs => :lease), claimed_by = :by
where (c.run_id, c.chunk_no) = (
    select run_id, chunk_no from run_chunks
    where run_id = :r and done_at is null and (lease_until is null or lease_until < now())
    order by chunk_no limit 1 for update skip locked)
returning chunk_no, customer_ids""")
ADD_COUNTS = """
update runs set documents_created = documents_created + $2,
    drafts_created = drafts_created + $3, customers_skipped = customers_skipped + $4
where run_id = $1"""
FINISH = text("""
update runs set status = 'finished', finished_at = now(),
    counts = jsonb_build_object('documents_created', documents_created,
        'drafts_created', drafts_created, 'customers_skipped', customers_skipped)
where run_id = :r and status = 'running'
returning documents_created, drafts_created, customers_skipped""")
TO_HELP = text("""
select distinct c.run_id from run_chunks c join runs r using (run_id)
where r.status = 'running' and r.selection is not null and c.done_at is null
  and (c.lease_until is null or c.lease_until < now())""")


async def start(session: AsyncSession, run: ProcessSelected, job_id: uuid.UUID,
                billing_day: dt.date) -> tuple[bool, str]:
    """Record the run (once); returns whether it is new and its status."""
    fresh = (await session.execute(START, {
        "r": run.run_id, "by": run.requested_by, "selection": run.model_dump_json(),
        "job": job_id, "day": billing_day})).first()
    status = await session.scalar(text("select status from runs where run_id = :r"),
                                  {"r": run.run_id})
    return fresh is not None, status


async def selection(session: AsyncSession, run_id: uuid.UUID) -> Any:
    """What a helping process needs: the run's selection, job, billing day and status."""
    return (await session.execute(text(
        "select selection, job_id, billing_day, status, customers from runs where run_id = :r"),
        {"r": run_id})).first()


async def refuse(session: AsyncSession, run_id: uuid.UUID) -> None:
    """The run bills nothing (its period is not ready); its work list goes."""
    await session.execute(text("delete from run_chunks where run_id = :r"), {"r": run_id})
    await session.execute(text("update runs set status = 'refused', finished_at = now(), "
                               "customers = 0 where run_id = :r"), {"r": run_id})


async def has_chunks(session: AsyncSession, run_id: uuid.UUID) -> bool:
    return bool(await session.scalar(text(
        "select 1 from run_chunks where run_id = :r limit 1"), {"r": run_id}))


async def add_chunks(session: AsyncSession, run_id: uuid.UUID, customers: list[str],
                     size: int) -> None:
    """The run's customers as its work list, ``size`` to a chunk, in billing order."""
    chunks = [{"r": run_id, "n": n, "c": customers[i:i + size]}
              for n, i in enumerate(range(0, len(customers), size), start=1)]
    if chunks:
        await session.execute(text("insert into run_chunks (run_id, chunk_no, customer_ids) "
                                   "values (:r, :n, :c)"), chunks)
    await session.execute(text("update runs set customers = :n where run_id = :r"),
                          {"n": len(customers), "r": run_id})


async def claim(session: AsyncSession, run_id: uuid.UUID, holder: str, lease_s: float
                ) -> tuple[int, list[str]] | None:
    """Claim the next chunk of the run's customers for ``lease_s`` seconds."""
    row = (await session.execute(CLAIM, {"r": run_id, "by": holder, "lease": lease_s})).first()
    return None if row is None else (row.chunk_no, list(row.customer_ids))


async def renew(session: AsyncSession, run_id: uuid.UUID, chunk_no: int, holder: str,
                lease_s: float) -> bool:
    """Extend the lease of a chunk ``holder`` still holds; False when it lost it."""
    result = await session.execute(text(
        "update run_chunks set lease_until = now() + make_interval(secs => :lease) "
        "where run_id = :r and chunk_no = :n and claimed_by = :by and done_at is null"),
        {"r": run_id, "n": chunk_no, "by": holder, "lease": lease_s})
    return bool(result.rowcount)


async def chunk_done(session: AsyncSession, run_id: uuid.UUID, chunk_no: int) -> int:
    """Mark a chunk billed; returns how many of the run's customers are billed now."""
    await session.execute(text(
        "update run_chunks set done_at = now() where run_id = :r and chunk_no = :n"),
        {"r": run_id, "n": chunk_no})
    return int(await session.scalar(text(
        "select coalesce(sum(cardinality(customer_ids)), 0) from run_chunks "
        "where run_id = :r and done_at is not null"), {"r": run_id}))


async def add_counts(conn: Any, run_id: uuid.UUID, counts: RunCounts) -> None:
    """Add to the run's counts in the caller's transaction (asyncpg connection)."""
    if counts.documents_created or counts.drafts_created or counts.customers_skipped:
        await conn.execute(ADD_COUNTS, run_id, counts.documents_created, counts.drafts_created,
                           counts.customers_skipped)


async def counts(session: AsyncSession, run_id: uuid.UUID) -> RunCounts:
    row = (await session.execute(text(
        "select documents_created, drafts_created, customers_skipped from runs "
        "where run_id = :r"), {"r": run_id})).one()
    return RunCounts(*row)


async def work_left(session: AsyncSession, run_id: uuid.UUID) -> tuple[int, int]:
    """(chunks not yet billed, documents still waiting for a number) of the run."""
    row = (await session.execute(text(
        "select (select count(*) from run_chunks where run_id = :r and done_at is null), "
        "(select count(*) from invoices where run_id = :r and status = 'pending')"),
        {"r": run_id})).one()
    return row[0], row[1]


async def finish(session: AsyncSession, run_id: uuid.UUID) -> RunCounts | None:
    """Close the run with its summed counts; None when another process closed it."""
    row = (await session.execute(FINISH, {"r": run_id})).first()
    return None if row is None else RunCounts(*row)


async def duration_s(session: AsyncSession, run_id: uuid.UUID) -> float:
    """Seconds from the run's request to its finish (or to now, while it runs)."""
    return float(await session.scalar(text(
        "select extract(epoch from coalesce(finished_at, now()) - requested_at) from runs "
        "where run_id = :r"), {"r": run_id}) or 0)


async def invoiced(session: AsyncSession, run_id: uuid.UUID) -> dict[str, Decimal]:
    """The gross total the run's documents bill, per currency."""
    rows = (await session.execute(text(
        "select currency, sum(gross_total) from invoices where run_id = :r "
        "and status in ('issued', 'cancelled') group by currency"), {"r": run_id})).all()
    return {r[0]: r[1] for r in rows}


async def runs_to_help(session: AsyncSession) -> list[uuid.UUID]:
    """Running runs with customers nobody works on."""
    return list((await session.execute(TO_HELP)).scalars())


async def processed(session: AsyncSession, consumer: str, event_id: uuid.UUID) -> bool:
    """Whether the consumer's inbox holds this event (its effect is committed)."""
    return bool(await session.scalar(text(
        "select 1 from inbox where consumer = :c and event_id = :e"),
        {"c": consumer, "e": event_id}))


async def selected_customers(session: AsyncSession, run: ProcessSelected,
                             last_day: dt.date | None) -> list[str]:
    """The customers a selection names, in billing order: every customer in the generator
    with open items up to ``last_day`` (all_customers), or the named ones and then the
    owners of the named items; the customer filters (kind, account manager, billing
    frequency) narrow either."""
    filters: dict[str, Any] = {"kind": run.customer_kind, "manager": run.account_manager_id,
                               "frequency": run.billing_frequency}
    if run.all_customers:  # one side's generator, as its tab: the advertisers' by default
        return list((await session.execute(ALL_CUSTOMERS, {
            **filters, "kind": run.customer_kind or "advertiser", "currency": run.currency,
            "period_end": last_day})).scalars())
    chosen = list(dict.fromkeys(run.customer_ids))
    if run.item_ids:
        owners = (await session.execute(text(
            "select distinct customer_id from billable_items where item_id = any(:i)"),
            {"i": list(run.item_ids)})).scalars().all()
        chosen += [c for c in owners if c not in chosen]
    if run.customer_kind or run.account_manager_id or run.billing_frequency:
        kept = set((await session.execute(NAMED_CUSTOMERS, {**filters, "ids": chosen})
                    ).scalars())
        chosen = [c for c in chosen if c in kept]
    return chosen
