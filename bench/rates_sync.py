"""Rates sync: one year of daily ECB rates for 30 currencies, fetched, parsed, published.

    PYTHONPATH=. .venv/bin/python bench/rates_sync.py [--days 365]

The ECB's historic XML, as the simulator makes it, is served as a static file in-process
(httpx MockTransport, no sockets, as the ECB serves a file it built once a day); the sync
reads it, parses every day and writes one fx.rates fact per day into its outbox in
one transaction (a fresh sync schema on the running PostgreSQL), as POST /rates/sync does.
Then billing records those facts (its consumer's effect: inbox claim + rate history) in a
fresh billing schema. Same-run baseline: parsing the year out of the same XML alone. A
second sync of the same year, which publishes nothing, is timed as well.
Last line: sync_s=<n> resync_s=<n> billing_record_s=<n> parse_only_s=<n> days=<n> rates=<n>
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

import httpx
from sqlalchemy import text

from affbill_billing.bootstrap import bootstrap as billing_bootstrap
from affbill_billing.config import Settings as BillingSettings
from affbill_billing.service_layer import rates as billing_rates
from affbill_contracts import decode, topics
from affbill_runtime.migrations import upgrade
from affbill_simulator.app import create_app
from affbill_sync.adapters.rates_sources import EcbSource
from affbill_sync.bootstrap import bootstrap as sync_bootstrap
from affbill_sync.config import Settings as SyncSettings
from affbill_sync.domain.rates import parse_ecb
from affbill_sync.service_layer.rates import sync_rates
from bench._stack import drop_schema

DB = os.environ.get("DATABASE_URL", "postgresql://affbill:affbill@127.0.0.1:54329/affbill")


async def measure(sync_schema: str, billing_schema: str, days: int) -> dict[str, float]:
    today = dt.date.today()
    since = today - dt.timedelta(days=days)
    sync = sync_bootstrap(SyncSettings(service_name=sync_schema, database_url=DB,
                                       rates_every_s=0))
    billing = billing_bootstrap(BillingSettings(service_name=billing_schema, database_url=DB))
    source = EcbSource("http://sim/ecb")
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app()),
                                     base_url="http://sim", timeout=60) as sim:
            xml = (await sim.get("/ecb/eurofxref-hist.xml")).content
        started = time.perf_counter()
        parsed = parse_ecb(xml, since=since)
        parse_only = time.perf_counter() - started
        static = httpx.MockTransport(lambda request: httpx.Response(200, content=xml))
        async with httpx.AsyncClient(transport=static, base_url="http://sim") as client:
            started = time.perf_counter()
            done = await sync_rates(sync.uow, source, client, since, today)
            sync_s = time.perf_counter() - started
            started = time.perf_counter()
            again = await sync_rates(sync.uow, source, client, since, today)
            resync_s = time.perf_counter() - started
        assert done.published == len(parsed) and again.published == 0
        async with sync.engine.connect() as conn:
            facts = [decode(v) for v in (await conn.execute(text(
                "select value from outbox where topic = :t order by id"),
                {"t": topics.FX_RATES})).scalars()]
        started = time.perf_counter()
        await billing_rates.apply_published(billing.uow(), facts)
        record_s = time.perf_counter() - started
        async with billing.engine.connect() as conn:
            kept = await conn.scalar(text("select count(*) from exchange_rates"))
        return {"sync_s": sync_s, "resync_s": resync_s, "billing_record_s": record_s,
                "parse_only_s": parse_only, "days": len(parsed),
                "rates": sum(len(d.rates) for d in parsed), "kept": kept}
    finally:
        await sync.engine.dispose()
        await billing.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    tag = uuid.uuid4().hex[:6]
    sync_schema, billing_schema = f"sync_bench_{tag}", f"billing_bench_{tag}"
    upgrade("affbill_sync", DB, sync_schema)
    upgrade("affbill_billing", DB, billing_schema)
    try:
        load_before = os.getloadavg()[0]
        r = asyncio.run(measure(sync_schema, billing_schema, args.days))
    finally:
        drop_schema(DB, sync_schema)
        drop_schema(DB, billing_schema)
    print(f"{r['days']} days × 30 currencies = {r['rates']} rates; billing kept {r['kept']}; "
          f"load average {load_before:.2f} → {os.getloadavg()[0]:.2f}")
    print(f"sync_s={r['sync_s']:.3f} resync_s={r['resync_s']:.3f} "
          f"billing_record_s={r['billing_record_s']:.3f} parse_only_s={r['parse_only_s']:.3f} "
          f"days={r['days']} rates={r['rates']}")


if __name__ == "__main__":
    main()
