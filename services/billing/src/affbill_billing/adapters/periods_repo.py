"""What period readiness reads: the connectors billing knows, the syncs that succeeded,
the billing frequencies of a run's customers; and the syncs as they arrive."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import text

from affbill_billing.domain.periods import BillingFrequency
from affbill_billing.domain.readiness import SyncOutcome

CONNECTORS = """
select connector from customers union select connector from sync_outcomes order by 1"""
OUTCOMES = """
select connector, scope, date_from, date_to, started_at from sync_outcomes
where started_at >= :after order by started_at"""
RECORD = """
insert into sync_outcomes (job_id, connector, scope, date_from, date_to, started_at,
                           finished_at)
values ($1, $2, $3, $4, $5, $6, $7) on conflict (job_id) do nothing"""


async def connectors(conn: Any) -> list[str]:
    """Every connector billing has facts from or heard a sync of (SQLAlchemy connection)."""
    return list((await conn.execute(text(CONNECTORS))).scalars())


async def outcomes_since(conn: Any, after: dt.datetime) -> list[SyncOutcome]:
    rows = (await conn.execute(text(OUTCOMES), {"after": after})).all()
    return [SyncOutcome(*r) for r in rows]


async def frequencies(conn: Any, customers: Sequence[str]) -> list[BillingFrequency]:
    """The billing frequencies among these customers' profiles."""
    rows = (await conn.execute(text(
        "select distinct billing_frequency from billing_profiles where customer_id = any(:c)"),
        {"c": list(customers)})).scalars()
    return sorted(BillingFrequency(r) for r in rows)


async def record(conn: Any, rows: Sequence[tuple[Any, ...]]) -> None:
    """Keep syncs that succeeded, once per sync job (asyncpg connection)."""
    if rows:
        await conn.executemany(RECORD, rows)


async def lock(conn: Any, start: dt.date, end: dt.date, by: str, reason: str) -> bool:
    """Lock a period (once; False when it was locked already)."""
    return bool((await conn.execute(text(
        "insert into period_locks (period_start, period_end, locked_by, reason) "
        "values (:s, :e, :by, :why) on conflict do nothing returning 1"),
        {"s": start, "e": end, "by": by, "why": reason})).first())


async def locks(conn: Any, periods: Sequence[tuple[dt.date, dt.date]]) -> dict[
        tuple[dt.date, dt.date], tuple[dt.datetime, str, str]]:
    """The locks of these periods: (locked at, by, reason) by (first day, last day)."""
    if not periods:
        return {}
    rows = (await conn.execute(text(
        "select period_start, period_end, locked_at, locked_by, reason from period_locks "
        "where (period_start, period_end) in (select * from unnest(cast(:s as date[]), "
        "cast(:e as date[])))"),
        {"s": [p[0] for p in periods], "e": [p[1] for p in periods]})).all()
    return {(r[0], r[1]): (r[2], r[3], r[4]) for r in rows}


async def locked_days(conn: Any, days: Sequence[dt.date]
                      ) -> dict[dt.date, tuple[dt.date, dt.date]]:
    """The days among ``days`` that lie in a locked period, with that period's days."""
    if not days:
        return {}
    rows = (await conn.execute(text(
        "select d.day, l.period_start, l.period_end from unnest(cast(:d as date[])) as d(day) "
        "join period_locks l on d.day between l.period_start and l.period_end"),
        {"d": list(days)})).all()
    return {r[0]: (r[1], r[2]) for r in rows}


async def frequencies_of_run(conn: Any, run_id: Any) -> list[BillingFrequency]:
    """The billing frequencies among a run's customers (its work list)."""
    rows = (await conn.execute(text(
        "select distinct p.billing_frequency from run_chunks c "
        "cross join unnest(c.customer_ids) as u(customer_id) "
        "join billing_profiles p on p.customer_id = u.customer_id where c.run_id = :r"),
        {"r": run_id})).scalars()
    return sorted(BillingFrequency(r) for r in rows)


class Carried(NamedTuple):
    """What a run left below the threshold for one customer and currency."""

    currency: str
    total: Decimal
    threshold: Decimal
    items: int
    oldest_day: dt.date


async def record_carried(conn: Any, run_id: Any, customer: str, carried: Sequence[Carried]
                         ) -> None:
    """The threshold ledger: what the run carried, in its transaction (asyncpg); a run
    that bills the customer again (resumed) records it once."""
    if carried:
        await conn.executemany(
            "insert into threshold_ledger (run_id, customer_id, currency, carried, threshold, "
            "items, oldest_day) values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing",
            [(run_id, customer, *c) for c in carried])


async def threshold_ledger(conn: Any, customer: str) -> list[dict[str, Any]]:
    """A customer's carried balance over time, newest first, with the run that skipped it."""
    rows = (await conn.execute(text(
        "select l.recorded_at, l.run_id, l.currency, l.carried, l.threshold, l.items, "
        "l.oldest_day from threshold_ledger l where l.customer_id = :c "
        "order by l.recorded_at desc, l.currency"), {"c": customer})).mappings()
    return [dict(r) for r in rows]
