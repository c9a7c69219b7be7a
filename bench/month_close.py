"""Month close as the billing team lives it, on the whole stack as processes.

    .venv/bin/python bench/month_close.py [--advertisers 1000 --affiliates 3000
                                           --rows-per-day 20000]

Needs Kafka and PostgreSQL (reads KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL). Starts the
simulator, scaled to the network of issue 16 and holding the last closed month's stats
only, and the five services on a database of their own (dropped afterwards). Then, timed:
1. sync: a standard sync of the month, from the request to its job's end;
2. ingest: until billing caught up — every stat row and advertiser the sync published is
   in billing's tables (the consumers have nothing left of this sync);
3. ready: until `GET /periods` says the month is ready (settle time 0, as in the e2e stack);
4. dry run over all customers for the month (`--dry-run`), to its job's end;
5. run: the run for advertisers, and for affiliates once they exist (the gateway answers
   409 while there is nothing to bill for them), each to its job's end;
6. render: from the runs' end until every issued document is rendered and validated by
   the documents service (those rendered while the run went on are not counted twice).
Baseline, measured in the same run first: a plain Kafka producer sending the same number
of pre-serialized stat-row events (the floor of moving the month through Kafka).
Last line: month_close_s=<n> sync_s=<n> ingest_s=<n> run_s=<n> render_s=<n> documents=<n>
"""

from __future__ import annotations

import bench.namespace  # noqa: F401 - topics of its own, set before affbill is imported

# isort: split

import argparse
import asyncio
import calendar
import contextlib
import datetime as dt
import json
import os
import signal
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from affbill_billing.entrypoints.messaging import consumer_groups as billing_groups
from affbill_contracts import topics
from affbill_documents.entrypoints.messaging import consumer_groups as documents_groups
from affbill_runtime.messaging import ensure_topics, start_groups_at_end
from bench.sync_throughput import baseline
from tests.processes import STACK, free_port, running_services, start_simulator

KAFKA = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
DB = os.environ.get("DATABASE_URL", "postgresql://affbill:affbill@127.0.0.1:54329/affbill"
                    ).replace("postgresql+asyncpg://", "postgresql://")
KEY = "affb_bench-admin-" + uuid.uuid4().hex
DONE = ("succeeded", "succeeded_with_warnings", "failed")


def last_closed_month() -> tuple[dt.date, dt.date]:
    first = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    first = first.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


async def sql(url: str, query: str) -> Any:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(query)
    finally:
        await conn.close()


@contextlib.contextmanager
def stack(args: argparse.Namespace, month: tuple[dt.date, dt.date], logs: Path
          ) -> Iterator[tuple[dict[str, str], str]]:
    """Simulator and services on free ports; yields ({name: URL}, the database's URL)."""
    run = uuid.uuid4().hex[:6]
    group = {s: f"bench-{run}-{s}" for s in STACK}
    ports = {s: free_port() for s in (*STACK, "simulator")}
    url = {s: f"http://127.0.0.1:{p}" for s, p in ports.items()}
    database = f"month_close_{run}"
    own = f"{DB.rsplit('/', 1)[0]}/{database}"

    async def prepare() -> None:
        await ensure_topics(KAFKA)
        await start_groups_at_end(KAFKA, {
            **billing_groups(group["billing"]), **documents_groups(group["documents"]),
            group["jobs"]: topics.JOBS_EVENTS, group["sync"]: topics.SYNC_REQUESTS})
        await sql(DB, f'create database "{database}"')

    asyncio.run(prepare())
    env = {"DATABASE_URL": own, "KAFKA_BOOTSTRAP_SERVERS": KAFKA, "LOG_LEVEL": "WARNING",
           "AFFBILL_TOPIC_PREFIX": topics.PREFIX, "AFFBILL_GATEWAY_BOOTSTRAP_ADMIN_KEY": KEY,
           "AFFBILL_BILLING_PERIOD_SETTLE_H": "0",
           "AFFBILL_SYNC_CONNECTORS": json.dumps([{
               "id": "hasoffers-sim", "kind": "hasoffers", "base_url": url["simulator"],
               "token": "sim-token", "timezone": "Europe/Berlin", "page_size": 20000}]),
           "AFFBILL_SYNC_RATES_URL": f"{url['simulator']}/ecb"}
    env.update({f"AFFBILL_{s.upper()}_CONSUMER_GROUP": g for s, g in group.items()})
    env.update({f"AFFBILL_GATEWAY_{s.upper()}_URL": url[s]
                for s in ("sync", "billing", "documents", "jobs")})
    scale = ("--advertisers", str(args.advertisers), "--affiliates", str(args.affiliates),
             "--rows-per-day", str(args.rows_per_day), "--start-date", str(month[0]),
             "--offers-per-advertiser", str(args.offers_per_advertiser),
             "--days", str((month[1] - month[0]).days + 1))
    try:
        simulator = start_simulator(ports["simulator"], logs / "simulator.log", *scale)
        try:
            with running_services({s: ports[s] for s in STACK}, env, logs):
                yield url, own
        finally:
            simulator.terminate()
            simulator.wait(10)
    finally:
        asyncio.run(sql(DB, f'drop database if exists "{database}" with (force)'))


def until(check: Callable[[], Any], what: str, timeout_s: float = 1800) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (found := check()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.2)
    return found


def finished(api: httpx.Client, job_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        response = api.get(f"/jobs/{job_id}")
        job = response.json() if response.status_code == 200 else {}
        return job if job.get("status") in DONE else None
    return until(done, f"job {job_id}")


def timed(step: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = step()
    return time.perf_counter() - started, result


def close(api: httpx.Client, db: str, month: tuple[dt.date, dt.date]) -> dict[str, Any]:
    """The month close, step by step; returns the seconds of each and what it made."""
    period = f"{month[0]:%Y-%m}"
    f: dict[str, Any] = {}
    f["sync_s"], sync = timed(lambda: finished(api, api.post("/adtracker/syncs", json={
        "connector": "hasoffers-sim", "scope": "standard", "date_from": str(month[0]),
        "date_to": str(month[1])}).json()["job_id"]))
    if sync["status"] == "failed":  # nothing to close: say why, and stop (the stack goes)
        raise RuntimeError(f"the sync failed: {sync.get('reason')}")
    sync_counts = api.get(f"/adtracker/syncs/{sync['job_id']}").json()["counts"]
    stats = sync_counts.get("stat", {}).get("published", 0)
    advertisers = sync_counts.get("advertiser", {}).get("published", 0)
    f["ingest_s"], _ = timed(lambda: until(lambda: asyncio.run(sql(db, (
        f"select (select count(*) from billing.stat_rows) >= {stats} and "
        f"(select count(*) from billing.customers where kind = 'advertiser') >= {advertisers}"
    ))), "billing to catch up"))
    f["ready_s"], _ = timed(lambda: until(lambda: api.get("/periods", params={
        "frequency": "monthly", "count": 1, "before": str(month[1] + dt.timedelta(days=1))}
    ).json()["items"][0]["ready"], "the month to be ready"))
    f["dry_run_s"], dry = timed(lambda: finished(api, api.post("/runs", json={
        "all": True, "period": period, "dry_run": True}).json()["job_id"]))
    run_s, documents = 0.0, 0
    for kind in ("advertiser", "affiliate"):
        started = time.perf_counter()
        answer = api.post("/runs", json={"all": True, "period": period, "customer_kind": kind})
        if answer.status_code == 409:  # nothing to bill for this kind (yet)
            continue
        job = finished(api, answer.json()["job_id"])
        run_s += time.perf_counter() - started
        documents += job["counts"].get("documents_created", 0)
    f["run_s"] = run_s
    f["render_s"], _ = timed(lambda: until(lambda: asyncio.run(sql(db, (
        "select count(*) from documents.documents where valid")))
        >= asyncio.run(sql(db, "select count(*) from billing.invoices "
                               "where status in ('issued', 'cancelled')")),
        "every document rendered"))
    f["invalid"] = asyncio.run(sql(db, "select count(*) from documents.documents where not valid"))
    f["documents"], f["stats"], f["dry_run"] = documents, stats, dry.get("counts", {})
    return f


def main() -> None:
    # a stopped bench still stops its services and drops its database (finally blocks)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser()
    parser.add_argument("--advertisers", type=int, default=1000)
    parser.add_argument("--affiliates", type=int, default=3000)
    parser.add_argument("--rows-per-day", type=int, default=20_000)
    parser.add_argument("--offers-per-advertiser", type=int, default=3)
    args = parser.parse_args()
    month = last_closed_month()
    logs = Path(os.environ.get("AFFBILL_STATE", ".state")) / "logs" / "month-close"
    logs.mkdir(parents=True, exist_ok=True)
    rows = args.rows_per_day * ((month[1] - month[0]).days + 1)
    baseline_s = rows / asyncio.run(baseline(rows))
    print(f"baseline: a plain producer sends the month's {rows:,} stat rows in "
          f"{baseline_s:.1f} s", flush=True)
    with stack(args, month, logs) as (url, db), httpx.Client(
            base_url=url["gateway"] + "/api/v1", timeout=120,
            headers={"X-API-Key": KEY}) as api:
        f = close(api, db, month)
    total = sum(f[k] for k in ("sync_s", "ingest_s", "ready_s", "dry_run_s", "run_s",
                               "render_s"))
    print(f"month {month[0]:%Y-%m}: {f['stats']:,} stat rows; ready after "
          f"{f['ready_s']:.1f} s more; dry run {f['dry_run_s']:.1f} s ({f['dry_run']}); "
          f"{f['invalid']} invalid documents; baseline_produce_s={baseline_s:.1f}", flush=True)
    print(f"month_close_s={total:.1f} sync_s={f['sync_s']:.1f} ingest_s={f['ingest_s']:.1f} "
          f"run_s={f['run_s']:.1f} render_s={f['render_s']:.1f} documents={f['documents']}")


if __name__ == "__main__":
    main()
