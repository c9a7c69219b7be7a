"""Gateway under load: GET /api/v1/generator and /api/v1/jobs/{id} with 10,000 customers.

    PYTHONPATH=. .venv/bin/python bench/gateway_load.py [--rps 200 --seconds 20]

Needs Kafka and PostgreSQL (KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL). Starts billing (two
HTTP processes, as the Procfile does), jobs and the gateway as processes on schemas of
their own, loads 10,000 customers with open items into billing's tables (COPY, untimed)
and one job into the job log (its events on jobs.events).
Open-loop load: request i is due at start + i/rps whatever the answers
before it did, and its latency counts from when it was due (no coordinated omission).
The baseline is the same load straight against billing and jobs, in the same run: the
two take turns in slices, so both meet the same background load of a shared machine,
whose load average is printed before and after.
Last line: rps=<n> p50_ms=<n> p99_ms=<n> errors=<n> (through the gateway).
"""

from __future__ import annotations

import bench.namespace  # noqa: F401 - topics of its own, set before affbill is imported

# isort: split

import argparse
import asyncio
import datetime as dt
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer

from affbill_billing.entrypoints.messaging import consumer_groups as billing_groups
from affbill_contracts import Envelope, JobStarted, encode, topics
from affbill_contracts.jobs import JobKind
from affbill_runtime.internal_auth import Identity, signed_headers
from affbill_runtime.messaging import ensure_topics, start_groups_at_end
from affbill_runtime.migrations import upgrade
from bench._stack import drop_schema
from tests.processes import INTERNAL_SECRET, free_port, running_services
from tests.signing import SignedAsGateway

DB = os.environ.get("DATABASE_URL", "postgresql://affbill:affbill@127.0.0.1:54329/affbill")
PLAIN = DB.replace("postgresql+asyncpg://", "postgresql://")
KAFKA = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
ADMIN_KEY = "affb_bench-admin-" + uuid.uuid4().hex
Result = tuple[list[float], int, float]  # latencies (ms), errors, achieved requests/s


async def load_customers(schema: str, customers: int, items: int) -> None:
    conn = await asyncpg.connect(PLAIN, server_settings={"search_path": schema})
    try:
        ids = [f"bench:advertiser:{n}" for n in range(customers)]
        await conn.copy_records_to_table("customers", records=[
            (cid, "bench", "advertiser", str(n), f"Customer {n}", "active")
            for n, cid in enumerate(ids)], columns=["customer_id", "connector", "kind",
                                                    "partner_id", "name", "status"])
        await conn.copy_records_to_table("billing_profiles", records=[
            (cid, f"Customer {n}", "domestic", "EUR") for n, cid in enumerate(ids)],
            columns=["customer_id", "billing_name", "tax_treatment", "billing_currency"])
        start = dt.date(2026, 10, 1)
        await conn.copy_records_to_table("billable_items", records=[
            (uuid.uuid4(), cid, str(k), f"Offer {k}", start + dt.timedelta(days=k), "EUR", 3,
             Decimal("37.50000") + k) for cid in ids for k in range(items)],
            columns=["item_id", "customer_id", "offer_id", "offer_name", "day", "currency",
                     "units", "revenue"])
        await conn.execute("analyze")
    finally:
        await conn.close()


async def seed_job(jobs_url: str) -> str | None:
    """One job in the job log; None when the jobs service does not serve it (yet)."""
    job_id = uuid.uuid4()
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA)
    await producer.start()
    try:
        started = JobStarted(service="bench", seq=1, kind=JobKind.BATCH_RUN,
                             title="Process selected: bench", started_by="bench")
        await producer.send_and_wait(topics.JOBS_EVENTS, encode(Envelope.wrap(
            started, job_id=job_id)), key=str(job_id).encode())
    finally:
        await producer.stop()
    async with httpx.AsyncClient(base_url=jobs_url,
                                 auth=SignedAsGateway(INTERNAL_SECRET)) as client:
        for _ in range(60):
            if (await client.get(f"/jobs/{job_id}")).status_code == 200:
                return str(job_id)
            await asyncio.sleep(0.5)
    return None


class Connection:
    """One keep-alive HTTP/1.1 connection: cheap enough that the driver is never the limit
    (httpx's pool spends milliseconds per request once hundreds are pending)."""

    def __init__(self, host: str, port: int,
                 headers: dict[str, str] | Callable[[str], dict[str, str]]) -> None:
        self.host, self.port, self.headers = host, port, headers
        self.head = "" if callable(headers) else self._head(headers)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def _head(self, headers: dict[str, str]) -> str:
        return "".join(f"{k}: {v}\r\n" for k, v in {"Host": f"{self.host}:{self.port}",
                                                      **headers}.items())

    async def get(self, path: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = self._head(self.headers(path)) if callable(self.headers) else self.head
        self.writer.write(f"GET {path} HTTP/1.1\r\n{head}\r\n".encode())
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        status = int(head.split(" ", 2)[1])
        length = next(int(line.split(":", 1)[1]) for line in head.split("\r\n")
                      if line.lower().startswith("content-length:"))
        await self.reader.readexactly(length)
        return status


async def drive(url: str, paths: list[str], rps: int, seconds: float,
                headers: dict[str, str] | Callable[[str], dict[str, str]],
                connections: int = 100) -> Result:
    """Open-loop load; latencies (ms) of good answers, errors, achieved requests/s.

    Requests fall due at a fixed rate into a queue that the connections serve; latency
    counts from when a request was due, so a slow answer delays the count, not the pacing.
    """
    target = httpx.URL(url)
    pool = [Connection(target.host, target.port or 80, headers) for _ in range(connections)]
    latencies: list[float] = []
    errors = 0
    total = int(rps * seconds)
    due: asyncio.Queue[tuple[float, str] | None] = asyncio.Queue()

    async def serve(conn: Connection) -> None:
        nonlocal errors
        while (job := await due.get()) is not None:
            at, path = job
            try:
                ok = await conn.get(path) == 200
            except (OSError, asyncio.IncompleteReadError, ValueError, StopIteration):
                conn.writer = None
                ok = False
            if ok:
                latencies.append((time.perf_counter() - at) * 1000)
            else:
                errors += 1

    for conn in pool[:len(paths)]:  # warm up: the first answers are not counted
        for path in paths:
            await conn.get(path)
    workers = [asyncio.create_task(serve(c)) for c in pool]
    start = time.perf_counter()
    for i in range(total):
        at = start + i / rps
        if (delay := at - time.perf_counter()) > 0:
            await asyncio.sleep(delay)
        due.put_nowait((at, paths[i % len(paths)]))
    for _ in workers:
        due.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - start
    for conn in pool:
        if conn.writer:
            conn.writer.close()
    return latencies, errors, total / elapsed


def signed(path: str) -> dict[str, str]:
    return signed_headers(INTERNAL_SECRET.encode(), "GET", path,
                          Identity("bench", "bench", "admin"))


def figures(latencies: list[float], errors: int, rps: float) -> str:
    if not latencies:
        return f"rps={rps:.0f} p50_ms=nan p99_ms=nan errors={errors}"
    cuts = statistics.quantiles(latencies, n=100)
    return f"rps={rps:.0f} p50_ms={cuts[49]:.1f} p99_ms={cuts[98]:.1f} errors={errors}"


async def measure(args: argparse.Namespace, ports: dict[str, int]) -> None:
    url = {s: f"http://127.0.0.1:{p}" for s, p in ports.items()}
    job_id = await seed_job(url["jobs"])
    generator = "/generator?page=1&page_size=50"
    routes = [("billing", generator)] if "generator" in args.routes else []
    if job_id and "jobs" in args.routes:
        routes.append(("jobs", f"/jobs/{job_id}"))
    elif not job_id:
        print("jobs: the jobs service does not serve GET /jobs/{id} yet")
    print(f"load: {args.rps} requests/s for {args.seconds} s, half on each of "
          f"{[p for _, p in routes]}, {args.customers} customers")
    print(f"machine load average (1, 5, 15 min): {loadavg()} on {os.cpu_count()} cores")
    rps = args.rps // len(routes)  # the two routes are driven side by side
    # straight to a service needs the gateway's signature: made per request (nonce once)
    direct = [(url[s], p, None) for s, p in routes]
    gateway = [(url["gateway"], f"/api/v1{p}", {"X-API-Key": ADMIN_KEY}) for _, p in routes]
    # the machine is shared: baseline and gateway take turns in slices (ABBA...), so
    # both see the same background load and neither always runs on a warmer system
    base: list[list[Result]] = [[] for _ in routes]
    gw: list[list[Result]] = [[] for _ in routes]
    for turn in range(args.slices):
        order = [(direct, base), (gateway, gw)]
        for targets, into in order if turn % 2 == 0 else order[::-1]:
            results = await asyncio.gather(*(drive(u, [p], rps, args.seconds / args.slices,
                                                   h if h is not None else signed)
                                             for u, p, h in targets))
            for collected, result in zip(into, results, strict=True):
                collected.append(result)
    print("baseline (straight to the services): "
          + figures(*merge([merge(r, slices=True) for r in base])))
    for (service, _), results in zip(routes, gw, strict=True):
        print(f"  {service} through the gateway: " + figures(*merge(results, slices=True)))
    print(f"machine load average after: {loadavg()}")
    print(figures(*merge([merge(r, slices=True) for r in gw])))


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def merge(results: list[Result], slices: bool = False) -> Result:
    """Routes side by side add their rates; slices of one route average theirs."""
    rate = sum(r[2] for r in results)
    return ([x for r in results for x in r[0]], sum(r[1] for r in results),
            rate / len(results) if slices else rate)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rps", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20, help="per side, all slices")
    parser.add_argument("--slices", type=int, default=4,
                        help="baseline and gateway take turns this many times each")
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=3, help="open items per customer")
    parser.add_argument("--billing-workers", type=int, default=2,
                        help="billing's HTTP processes (the Procfile runs 2)")
    parser.add_argument("--routes", default="generator,jobs",
                        help="which of generator,jobs to load")
    args = parser.parse_args()
    run = uuid.uuid4().hex[:6]
    schemas = {s: f"bench_gw_{s}_{run}" for s in ("billing", "jobs", "gateway")}
    ports = {s: free_port() for s in schemas}
    env = {"DATABASE_URL": DB, "KAFKA_BOOTSTRAP_SERVERS": KAFKA, "LOG_LEVEL": "WARNING",
           "AFFBILL_BILLING_HTTP_WORKERS": str(args.billing_workers),
           "AFFBILL_GATEWAY_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
           "AFFBILL_GATEWAY_BILLING_URL": f"http://127.0.0.1:{ports['billing']}",
           "AFFBILL_GATEWAY_JOBS_URL": f"http://127.0.0.1:{ports['jobs']}"}
    for service, schema in schemas.items():
        env[f"AFFBILL_{service.upper()}_SERVICE_NAME"] = schema
        env[f"AFFBILL_{service.upper()}_CONSUMER_GROUP"] = f"bench-{run}-{service}"
    try:
        asyncio.run(ensure_topics(KAFKA))
        # the services read only what arrives from now on, not a long-lived broker's history
        asyncio.run(start_groups_at_end(KAFKA, billing_groups(f"bench-{run}-billing") | {
            f"bench-{run}-jobs": topics.JOBS_EVENTS}))
        upgrade("affbill_billing", DB, schemas["billing"])
        asyncio.run(load_customers(schemas["billing"], args.customers, args.items))
        with running_services(ports, {**os.environ, **env},
                              Path(tempfile.mkdtemp(prefix="gateway-bench-"))):
            asyncio.run(measure(args, ports))
    finally:
        for schema in schemas.values():
            drop_schema(DB, schema)


if __name__ == "__main__":
    main()
