"""Sync throughput: 1,000,000 HasOffers stat rows → adtracker.stats, against a plain producer.

    .venv/bin/python bench/sync_throughput.py [--rows-per-day 10000 --days 100]

Needs Kafka and PostgreSQL (`make infra`; reads KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL).
Starts the simulator and the sync service as processes, then:
1. baseline: a plain aiokafka producer sends the same number of stat-row events,
   pre-serialized, to a scratch topic;
2. a standard sync from the request to the last event acknowledged by Kafka
   (the run's end: its Kafka transaction committed);
3. a partial sync over the unchanged data.
Last line: rows_per_s=<n> baseline_rows_per_s=<n> ratio=<r> peak_rss_mb=<n>
"""

from __future__ import annotations

import bench.namespace  # noqa: F401 - topics of its own, set before affbill is imported

# isort: split

import argparse
import asyncio
import datetime as dt
import json
import os
import time
import uuid
from decimal import Decimal
from pathlib import Path

import httpx
from aiokafka import AIOKafkaProducer

from affbill_contracts.topics import TopicSpec
from affbill_runtime.messaging import ensure_topics
from affbill_sync.adapters import encoding
from affbill_sync.domain.model import StatFact
from bench._stack import drop_schema, free_port, peak_rss_mb, start, stop, wait_http

KAFKA = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
DB = os.environ.get("DATABASE_URL", "postgresql://affbill:affbill@127.0.0.1:54329/affbill")


async def baseline(rows: int) -> float:
    """Plain producer, pre-serialized stat-row events (50,000 distinct, cycled), acks=all."""
    topic = f"bench.baseline.{uuid.uuid4().hex[:6]}"
    await ensure_topics(KAFKA, [TopicSpec(topic, 6)])
    job = uuid.uuid4()
    messages = []
    for i in range(50_000):
        fact = StatFact(dt.date(2026, 1, 1) + dt.timedelta(days=i % 100), str(i % 200),
                        str(i % 1000), "Offer", str(1000 + i % 200), "EUR", i % 50,
                        Decimal("123.45678"), Decimal("98.76543"))
        key = fact.key("bench")
        messages.append((f"bench:{fact.advertiser_id}".encode(),
                         encoding.stat_row("bench", key, fact, uuid.uuid4(), job)))
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA, acks="all", enable_idempotence=True,
                                linger_ms=20, max_batch_size=1024 * 1024)
    await producer.start()
    try:
        started = time.perf_counter()
        pending = []
        for n in range(rows):
            key, value = messages[n % len(messages)]
            pending.append(await producer.send(topic, value, key=key))
            if len(pending) >= 20_000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
        return rows / (time.perf_counter() - started)
    finally:
        await producer.stop()


def run_sync(base: str, connector: str, scope: str, date_from: str,
             date_to: str) -> tuple[float, dict]:
    started = time.perf_counter()
    job = httpx.post(f"{base}/syncs", json={"connector": connector, "scope": scope,
                                            "date_from": date_from, "date_to": date_to,
                                            "requested_by": "bench"}, timeout=10).json()["job_id"]
    while True:
        run = httpx.get(f"{base}/syncs/{job}", timeout=10).json()
        if run["status"] in {"succeeded", "succeeded_with_warnings", "failed"}:
            return time.perf_counter() - started, run
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--rows-per-day", type=int, default=10_000)
    args = parser.parse_args()
    rows = args.days * args.rows_per_day
    logs = Path(os.environ.get("AFFBILL_STATE", ".state")) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    start_day = dt.date(2026, 1, 1)
    sim_port, sync_port = free_port(), free_port()
    sim = start(["affbill-simulator", "serve", "--port", str(sim_port), "--advertisers", "200",
                 "--offers-per-advertiser", "5", "--affiliates", "200", "--days", str(args.days),
                 "--rows-per-day", str(args.rows_per_day), "--start-date", start_day.isoformat(),
                 "--rate-limit", "0"], log=logs / "bench-simulator.log")
    connector = f"bench-{uuid.uuid4().hex[:6]}"
    schema = f"sync_bench_{uuid.uuid4().hex[:6]}"
    env = {"DATABASE_URL": DB, "KAFKA_BOOTSTRAP_SERVERS": KAFKA,
           "AFFBILL_SYNC_SERVICE_NAME": schema, "LOG_LEVEL": "WARNING",
           "AFFBILL_SYNC_CONNECTORS": json.dumps([{
               "id": connector, "kind": "hasoffers", "base_url": f"http://127.0.0.1:{sim_port}",
               "token": "sim-token", "timezone": "Europe/Berlin", "page_size": 20000}])}
    sync = start(["affbill-sync", "serve", "--port", str(sync_port)], env=env,
                 log=logs / "bench-sync.log")
    base = f"http://127.0.0.1:{sync_port}"
    try:
        wait_http(f"http://127.0.0.1:{sim_port}/control/requests", sim)
        wait_http(f"{base}/health/ready", sync)
        baseline_rate = asyncio.run(baseline(rows))
        print(f"baseline: plain producer {baseline_rate:,.0f} rows/s", flush=True)
        window = (start_day.isoformat(), (start_day + dt.timedelta(days=args.days - 1)).isoformat())
        seconds, run = run_sync(base, connector, "standard", *window)
        stats = run["counts"].get("stat", {})
        print(f"standard sync: {seconds:.1f} s, stats {stats}, status {run['status']}", flush=True)
        partial_s, partial = run_sync(base, connector, "partial", *window)
        print(f"partial sync over unchanged data: {partial_s:.2f} s "
              f"({partial_s / seconds:.3f} of the standard sync), stats "
              f"{partial['counts'].get('stat', {})}", flush=True)
        rss = peak_rss_mb(sync.pid)
        rate = stats.get("fetched", 0) / seconds
        print(f"rows_per_s={rate:.0f} baseline_rows_per_s={baseline_rate:.0f} "
              f"ratio={rate / baseline_rate:.2f} peak_rss_mb={rss:.0f}")
    finally:
        stop(sync)
        stop(sim)
        drop_schema(DB, schema)


if __name__ == "__main__":
    main()
