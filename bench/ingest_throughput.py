"""Billing ingest: 1,000,000 stat-row events on adtracker.stats → billable items.

    .venv/bin/python bench/ingest_throughput.py [--rows 1000000]

Needs Kafka and PostgreSQL (`make infra`). Puts the events on the topic first
(untimed), positions a fresh consumer group just before them, then times the
billing service (a real process) from ready to the last row applied. Baseline:
a raw asyncpg COPY of the same rows into an equivalent table, in the same run.
Last line: rows_per_s=<n> baseline_rows_per_s=<n> ratio=<r>
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
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaProducer

from affbill_billing.entrypoints.messaging import consumer_groups
from affbill_contracts import topics
from affbill_runtime.messaging import ensure_topics, start_groups_at_end
from affbill_runtime.migrations import upgrade
from affbill_sync.adapters import encoding
from affbill_sync.domain.model import StatFact
from bench._stack import drop_schema, free_port, start, stop, wait_http

KAFKA = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
DB = os.environ.get("DATABASE_URL", "postgresql://affbill:affbill@127.0.0.1:54329/affbill")
PLAIN_DB = DB.replace("postgresql+asyncpg://", "postgresql://")


def facts(connector: str, rows: int):
    job = str(uuid.uuid4())
    for i in range(rows):
        day = dt.date(2026, 1, 1) + dt.timedelta(days=i // 10_000)
        fact = StatFact(day, str(i % 200), str(i % 1000), f"Offer {i % 1000}",
                        str(1000 + (i // 1000) % 300), "EUR", i % 40,
                        Decimal(i % 99_999) / 1000, Decimal(0))
        key = fact.key(connector)
        yield (f"{connector}:{fact.advertiser_id}".encode(),
               encoding.stat_row(connector, key, fact, str(uuid.uuid4()), job),
               (key, f"{connector}:advertiser:{fact.advertiser_id}", fact.offer_id,
                fact.offer_name, fact.date, "EUR", fact.conversions, fact.revenue))


async def produce(connector: str, rows: int) -> list[tuple]:
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA, linger_ms=20, acks="all",
                                max_batch_size=1024 * 1024)
    await producer.start()
    records, pending = [], []
    try:
        for key, value, record in facts(connector, rows):
            records.append(record)
            pending.append(await producer.send(topics.ADTRACKER_STATS, value, key=key, headers=[
                ("content-type", b"application/json")]))
            if len(pending) >= 20_000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return records


async def baseline(records: list[tuple]) -> float:
    conn = await asyncpg.connect(PLAIN_DB)
    try:
        await conn.execute("create temporary table copy_baseline (stat_key text primary key, "
                           "customer_id text, offer_id text, offer_name text, day date, "
                           "currency text, units integer, revenue numeric(28, 10))")
        started = time.perf_counter()
        for i in range(0, len(records), 50_000):
            await conn.copy_records_to_table("copy_baseline", records=records[i:i + 50_000])
        return len(records) / (time.perf_counter() - started)
    finally:
        await conn.close()


async def wait_applied(schema: str, rows: int, timeout: float) -> None:  # noqa: ASYNC109 polling deadline
    conn = await asyncpg.connect(PLAIN_DB)
    try:
        deadline = time.monotonic() + timeout
        while await conn.fetchval(f'select count(*) from "{schema}".stat_rows') < rows:
            if time.monotonic() > deadline:
                raise TimeoutError("ingest did not finish")
            await asyncio.sleep(0.2)
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2,
                        help="billing processes (the local stack runs 2; each consumes a share "
                             "of the partitions)")
    args = parser.parse_args()
    schema = f"billing_bench_{uuid.uuid4().hex[:6]}"
    group = f"bench-{schema}"
    connector = f"bench-{uuid.uuid4().hex[:6]}"
    asyncio.run(ensure_topics(KAFKA))
    upgrade("affbill_billing", DB, schema)
    asyncio.run(start_groups_at_end(KAFKA, consumer_groups(group)))
    records = asyncio.run(produce(connector, args.rows))
    print(f"{len(records):,} stat-row events on {topics.ADTRACKER_STATS}", flush=True)
    copy_rate = asyncio.run(baseline(records))
    del records
    print(f"baseline: asyncpg COPY {copy_rate:,.0f} rows/s", flush=True)
    port = free_port()
    logs = Path(os.environ.get("AFFBILL_STATE", ".state")) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    billing = start(["affbill-billing", "serve", "--port", str(port)], env={
        "DATABASE_URL": DB, "KAFKA_BOOTSTRAP_SERVERS": KAFKA, "LOG_LEVEL": "WARNING",
        "AFFBILL_BILLING_SERVICE_NAME": schema, "AFFBILL_BILLING_CONSUMER_GROUP": group,
        "AFFBILL_BILLING_HTTP_WORKERS": str(args.workers)},
        log=logs / "bench-billing.log")
    try:
        wait_http(f"http://127.0.0.1:{port}/health/ready", billing, timeout=300)  # slow hosts
        started = time.perf_counter()
        asyncio.run(wait_applied(schema, args.rows, timeout=900))
        rate = args.rows / (time.perf_counter() - started)
    finally:
        stop(billing)
        drop_schema(DB, schema)
    print(f"billing processes: {args.workers}")
    print(f"rows_per_s={rate:.0f} baseline_rows_per_s={copy_rate:.0f} ratio={rate / copy_rate:.3f}")


if __name__ == "__main__":
    main()
