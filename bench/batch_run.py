"""Batch run: 5,000 customers with 200 open items each → one run over all of them.

    .venv/bin/python bench/batch_run.py [--customers 5000 --items 200]

Needs PostgreSQL (`make infra`). Customers, profiles and open items are loaded
with COPY (untimed); the run is the billing service's own handler, timed from
the command to the last invoice committed (events land in the outbox in the
same transactions). Last line: invoices_per_s=<n> items_per_s=<n>
"""

from __future__ import annotations

import bench.namespace  # noqa: F401 - topics of its own, set before affbill is imported

# isort: split

import argparse
import asyncio
import datetime as dt
import os
import time
import uuid
from decimal import Decimal

import asyncpg

from affbill_billing.bootstrap import bootstrap
from affbill_billing.config import Settings
from affbill_billing.service_layer import runs
from affbill_contracts import Envelope, ProcessSelected
from affbill_runtime.migrations import upgrade
from bench._stack import drop_schema

DB = os.environ.get("DATABASE_URL", "postgresql://affbill:affbill@127.0.0.1:54329/affbill")
PLAIN = DB.replace("postgresql+asyncpg://", "postgresql://")


async def load(schema: str, customers: int, items: int, kind: str = "advertiser") -> list[str]:
    conn = await asyncpg.connect(PLAIN, server_settings={"search_path": schema})
    try:
        ids = [f"bench:{kind}:{n}" for n in range(customers)]
        await conn.copy_records_to_table("customers", records=[
            (cid, "bench", kind, str(n), f"Customer {n}", "active") for n, cid in
            enumerate(ids)], columns=["customer_id", "connector", "kind", "partner_id", "name",
                                      "status"])
        await conn.copy_records_to_table("billing_profiles", records=[
            (cid, f"Customer {n}", "domestic", "EUR") for n, cid in enumerate(ids)],
            columns=["customer_id", "billing_name", "tax_treatment", "billing_currency"])
        start = dt.date(2026, 1, 1)
        for _n, cid in enumerate(ids):
            await conn.copy_records_to_table("billable_items", records=[
                (uuid.uuid4(), cid, str(k % 4), f"Offer {k % 4}", start + dt.timedelta(days=k // 4),
                 "EUR", 3, Decimal("37.50000") + Decimal(k) / 1000) for k in range(items)],
                columns=["item_id", "customer_id", "offer_id", "offer_name", "day", "currency",
                         "units", "revenue"])
        # settled as a live database is: autovacuum would otherwise visit the freshly
        # loaded tables during the timed run (insert-triggered vacuum and analyze)
        for table in ("customers", "billing_profiles", "billable_items", "generator_totals"):
            await conn.execute(f"vacuum analyze {table}")
        return ids
    finally:
        await conn.close()


FLOOR = ["""
select item_id from billable_items where customer_id = $1 and state = 'open'
  and draft_id is null order by day, offer_id for update skip locked""", """
with invoice as (
    insert into invoices (invoice_id, customer_id, series, status, document_type, currency,
                          net_total, tax_total, gross_total, snapshot)
    values ($1, $2, 'default', 'pending', '380', 'EUR', 0, 0, 0, '{}'))
update billable_items set state = 'invoiced', invoice_id = $1, updated_at = now()
where item_id = any($3::uuid[])"""]


async def floor(schema: str, ids: list[str], concurrency: int) -> float:
    """The baseline: the per-customer lock, insert and update alone; invoices per second."""
    pool = await asyncpg.create_pool(PLAIN, min_size=concurrency, max_size=concurrency,
                                     server_settings={"search_path": schema})
    queue = iter(ids)

    async def worker() -> None:
        async with pool.acquire() as conn:
            for customer in queue:
                async with conn.transaction():
                    items = [r[0] for r in await conn.fetch(FLOOR[0], customer)]
                    await conn.execute(FLOOR[1], uuid.uuid4(), customer, items)

    try:
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return len(ids) / (time.perf_counter() - started)
    finally:
        await pool.close()


async def run(schema: str, ids: list[str]) -> tuple[float, dict]:
    runtime = bootstrap(Settings(service_name=schema, database_url=DB))
    try:
        command = Envelope.wrap(ProcessSelected(run_id=uuid.uuid4(), customer_ids=ids,
                                                requested_by="bench"))
        started = time.perf_counter()
        counts = await runs.process_selected(runtime.uow, command, runtime.settings)
        return time.perf_counter() - started, counts
    finally:
        await runtime.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--baseline-customers", type=int, default=1000)
    args = parser.parse_args()
    schema = f"billing_bench_{uuid.uuid4().hex[:6]}"
    upgrade("affbill_billing", DB, schema)
    try:
        ids = asyncio.run(load(schema, args.customers, args.items))
        others = asyncio.run(load(schema, args.baseline_customers, args.items, "affiliate"))
        print(f"loaded {args.customers:,} customers × {args.items} open items "
              f"(+ {len(others):,} for the baseline)", flush=True)
        baseline = asyncio.run(floor(schema, others, Settings().run_concurrency))
        load_before = os.getloadavg()[0]
        seconds, counts = asyncio.run(run(schema, ids))
    finally:
        drop_schema(DB, schema)
    print(f"run: {seconds:.1f} s, {counts}; load average {load_before:.2f} → "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"invoices_per_s={counts['documents_created'] / seconds:.0f} "
          f"items_per_s={counts['documents_created'] * args.items / seconds:.0f} "
          f"baseline_invoices_per_s={baseline:.0f}")


if __name__ == "__main__":
    main()
