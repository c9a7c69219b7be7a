"""The generator list (GET /generator) with 10,000 customers × 50 open items each.

    PYTHONPATH=. .venv/bin/python bench/generator_list.py [--customers 10000 --items 50]

Needs PostgreSQL (DATABASE_URL). Loads customers, profiles and open items with COPY
(untimed; the triggers of migration 0009 keep generator_totals as the items arrive),
then serves billing's HTTP routes with uvicorn in a second process and asks, one request
at a time over keep-alive HTTP, for the first page, a filtered page (account manager and
currency), a later page and a period-filtered page. The baseline is a route of the same
app answering one `select 1` through the same engine, in the same run.
Per route: p50_ms=<n> p99_ms=<n>; last line: the first page and the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import sys
import time
import uuid
from decimal import Decimal

import asyncpg
import httpx

from affbill_runtime.migrations import upgrade
from bench._stack import drop_schema, free_port, start, stop, wait_http

DB = os.environ.get("DATABASE_URL", "postgresql://affbill:affbill@127.0.0.1:54329/affbill")
PLAIN = DB.replace("postgresql+asyncpg://", "postgresql://")
START = dt.date(2026, 9, 1)


async def load(schema: str, customers: int, items: int) -> None:
    conn = await asyncpg.connect(PLAIN, server_settings={"search_path": schema})
    try:
        ids = [f"bench:advertiser:{n}" for n in range(customers)]
        await conn.copy_records_to_table("customers", records=[
            (cid, "bench", "advertiser", str(n), f"Customer {n:05d}", "active", str(n % 20))
            for n, cid in enumerate(ids)], columns=["customer_id", "connector", "kind",
                                                    "partner_id", "name", "status",
                                                    "account_manager_id"])
        await conn.copy_records_to_table("billing_profiles", records=[
            (cid, f"Customer {n}", "domestic", "EUR", Decimal(500), "EUR")
            for n, cid in enumerate(ids)],
            columns=["customer_id", "billing_name", "tax_treatment", "billing_currency",
                     "threshold_amount", "threshold_currency"])
        for start in range(0, customers, 1000):  # one COPY (and trigger run) per 1,000
            await conn.copy_records_to_table("billable_items", records=[
                (uuid.uuid4(), cid, str(k % 5), f"Offer {k % 5}",
                 START + dt.timedelta(days=k // 5 * 3 + n % 3),
                 "USD" if n % 10 == 0 and k % 2 else "EUR", 3, Decimal("37.50000") + k)
                for n, cid in enumerate(ids[start:start + 1000], start) for k in range(items)],
                columns=["item_id", "customer_id", "offer_id", "offer_name", "day",
                         "currency", "units", "revenue"])
        await conn.execute("analyze customers; analyze billable_items; analyze generator_totals")
    finally:
        await conn.close()


def serve(schema: str, port: int) -> None:
    """The server process: billing's routes plus the baseline route."""
    import uvicorn
    from fastapi import FastAPI
    from sqlalchemy import text

    from affbill_billing.bootstrap import bootstrap
    from affbill_billing.config import Settings
    from affbill_billing.entrypoints import http as billing_http

    runtime = bootstrap(Settings(service_name=schema, database_url=DB))
    app = FastAPI()
    app.include_router(billing_http.build_router(runtime))

    @app.get("/baseline")
    async def baseline() -> dict[str, int]:
        async with runtime.engine.connect() as conn:
            return {"one": await conn.scalar(text("select 1"))}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def measure(url: str, paths: dict[str, str], requests: int) -> dict[str, list[float]]:
    latencies: dict[str, list[float]] = {name: [] for name in paths}
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for path in paths.values():  # warm up: connections, prepared statements
            for _ in range(5):
                (await client.get(path)).raise_for_status()
        for _ in range(requests):  # interleaved, so load changes hit every route alike
            for name, path in paths.items():
                started = time.perf_counter()
                answer = await client.get(path)
                latencies[name].append((time.perf_counter() - started) * 1000)
                answer.raise_for_status()
    return latencies


def figures(values: list[float]) -> str:
    cuts = statistics.quantiles(values, n=100)
    return f"p50_ms={cuts[49]:.1f} p99_ms={cuts[98]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=50, help="open items per customer")
    parser.add_argument("--requests", type=int, default=300, help="per route")
    parser.add_argument("--serve", nargs=2, metavar=("SCHEMA", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return
    schema = f"billing_bench_{uuid.uuid4().hex[:6]}"
    upgrade("affbill_billing", DB, schema)
    server = None
    try:
        asyncio.run(load(schema, args.customers, args.items))
        print(f"loaded {args.customers:,} customers × {args.items} open items", flush=True)
        port = free_port()
        server = start([os.path.basename(sys.executable), __file__, "--serve", schema,
                        str(port)], env={"PYTHONPATH": os.environ.get("PYTHONPATH", ".")})
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/baseline", server)
        later = max(1, args.customers // 50 // 2)
        paths = {"baseline": "/baseline", "first_page": "/generator?page=1&page_size=50",
                 "filtered": "/generator?account_manager=7&currency=USD&page=1&page_size=50",
                 "later_page": f"/generator?page={later}&page_size=50",
                 "period": "/generator?period_from=2026-09-10&period_to=2026-09-30"
                           "&page=2&page_size=50"}
        latencies = asyncio.run(measure(url, paths, args.requests))
    finally:
        if server:
            stop(server)
        drop_schema(DB, schema)
    print(f"load average: {os.getloadavg()[0]:.2f} (on {os.cpu_count()} cores)")
    for name, path in paths.items():
        print(f"{name:>10}: {figures(latencies[name])}  GET {path}")
    base = figures(latencies["baseline"]).replace("p", "baseline_p")
    print(f"{figures(latencies['first_page'])} {base}")


if __name__ == "__main__":
    main()
