"""The web UI's pages with 10,000 customers, next to the API's own time for the same data.

    PYTHONPATH=. .venv/bin/python bench/ui_pages.py [--customers 10000 --requests 200]

Needs Kafka and PostgreSQL (KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL). Starts billing,
documents, jobs and the gateway as processes on schemas of their own; loads (COPY,
untimed) 10,000 customers with open items into billing, one issued document per customer
into the documents service's list, and 10,000 jobs (one with 400 log lines) into the job
log. Then, one request at a time over keep-alive HTTP and interleaved, so load changes hit
every route alike: each page of the UI (signed in, the whole server-rendered HTML) and
the API route(s) the page asks for the same data (API key), in the same run.
Per pair: p50/p95 of the page and of its API call(s); last line: the pages' worst p95.
"""

from __future__ import annotations

import bench.namespace  # noqa: F401 - topics of its own, set before affbill is imported

# isort: split

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import os
import re
import statistics
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

import asyncpg
import httpx

from affbill_runtime.migrations import upgrade
from bench._stack import drop_schema
from bench.generator_list import load as load_customers
from tests.processes import free_port, running_services

DB = os.environ.get("DATABASE_URL", "postgresql://affbill:affbill@127.0.0.1:54329/affbill")
PLAIN = DB.replace("postgresql+asyncpg://", "postgresql://")
KAFKA = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
ADMIN_KEY = "affb_bench-ui-admin-" + uuid.uuid4().hex
PASSWORD = "bench-password-1"
LOG_LINES = 400


async def load_documents(schema: str, customers: int) -> None:
    """One issued invoice per customer, as the documents service lists them (the PDF and
    XML bytes are stand-ins: the list never reads them)."""
    conn = await asyncpg.connect(PLAIN, server_settings={"search_path": schema})
    pdf, xml = b"%PDF-1.7 bench", b"<bench/>"
    day = dt.date(2026, 11, 30)
    try:
        await conn.copy_records_to_table("documents", records=[
            (uuid.uuid4(), f"RE-2026-{n:06d}", "380", f"bench:advertiser:{n}",
             f"Customer {n:05d}", day, day + dt.timedelta(days=14), "EUR", Decimal("100.00"),
             Decimal("19.00"), Decimal("119.00"), Decimal("119.00"), "en16931", pdf,
             hashlib.sha256(pdf).hexdigest(), len(pdf), xml, hashlib.sha256(xml).hexdigest(),
             len(xml), True, [], "[]", 0, 0, uuid.uuid4(), uuid.uuid4())
            for n in range(customers)], columns=[
                "invoice_id", "number", "document_type", "customer_id", "buyer_name",
                "issue_date", "due_date", "currency", "net_total", "tax_total",
                "gross_total", "amount_due", "profile", "pdf", "pdf_sha256", "pdf_size", "xml",
                "xml_sha256", "xml_size", "valid", "failed_rules", "findings", "render_ms",
                "validate_ms", "event_id", "rendering_job_id"])
        await conn.execute("analyze documents")
    finally:
        await conn.close()


async def load_jobs(schema: str, customers: int) -> str:
    """A job log of one finished run per customer; the newest has LOG_LINES lines."""
    conn = await asyncpg.connect(PLAIN, server_settings={"search_path": schema})
    now = dt.datetime.now(dt.UTC)
    ids = [uuid.uuid4() for _ in range(customers)]
    try:
        await conn.copy_records_to_table("jobs", records=[
            (job_id, "batch_run", f"Process selected: customer {n}", "bench", "succeeded",
             now - dt.timedelta(minutes=customers - n), now, now,
             json.dumps({"documents_created": 1}), LOG_LINES if n == customers - 1 else 0)
            for n, job_id in enumerate(ids)], columns=[
                "job_id", "kind", "title", "started_by", "status", "requested_at",
                "started_at", "finished_at", "counts", "line_count"])
        await conn.copy_records_to_table("job_lines", records=[
            (ids[-1], n + 1, "billing", n + 1, now, "info",
             f"Document RE-2026-{n:06d} created for Customer {n:05d}")
            for n in range(LOG_LINES)], columns=[
                "job_id", "line_no", "service", "seq", "occurred_at", "level", "text"])
        await conn.execute("analyze jobs; analyze job_lines")
    finally:
        await conn.close()
    return str(ids[-1])


async def signed_in(client: httpx.AsyncClient) -> None:
    form = await client.get("/ui/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    answer = await client.post("/ui/login", data={"username": "admin", "password": PASSWORD,
                                                  "csrf_token": token})
    assert answer.status_code == 303, answer.text


async def measure(url: str, pairs: dict[str, tuple[str, list[str]]], requests: int
                  ) -> dict[str, tuple[list[float], list[float]]]:
    """Per page: its latencies and those of its API calls (ms), interleaved."""
    found: dict[str, tuple[list[float], list[float]]] = {n: ([], []) for n in pairs}
    async with httpx.AsyncClient(base_url=url, timeout=60) as ui, \
            httpx.AsyncClient(base_url=url + "/api/v1", timeout=60,
                              headers={"X-API-Key": ADMIN_KEY}) as api:
        await signed_in(ui)

        async def timed(client: httpx.AsyncClient, path: str) -> float:
            started = time.perf_counter()
            answer = await client.get(path)
            took = (time.perf_counter() - started) * 1000
            assert answer.status_code == 200, f"{path}: {answer.status_code} {answer.text}"
            return took

        for page, calls in pairs.values():  # warm up: connections, prepared statements
            for _ in range(5):
                await timed(ui, page)
                for call in calls:
                    await timed(api, call)
        for _ in range(requests):
            for name, (page, calls) in pairs.items():
                found[name][0].append(await timed(ui, page))
                found[name][1].append(sum([await timed(api, call) for call in calls]))
    return found


def figures(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=100)
    return cuts[49], cuts[94]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=5, help="open items per customer")
    parser.add_argument("--requests", type=int, default=200, help="per page")
    args = parser.parse_args()
    run = uuid.uuid4().hex[:6]
    services = ("billing", "documents", "jobs", "gateway")
    schemas = {s: f"bench_ui_{s}_{run}" for s in services}
    ports = {s: free_port() for s in services}
    env = {"DATABASE_URL": DB, "KAFKA_BOOTSTRAP_SERVERS": KAFKA, "LOG_LEVEL": "WARNING",
           "AFFBILL_GATEWAY_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
           "AFFBILL_GATEWAY_UI_BOOTSTRAP_ADMIN_PASSWORD": PASSWORD,
           "AFFBILL_GATEWAY_UI_COOKIE_SECURE": "false",
           **{f"AFFBILL_GATEWAY_{s.upper()}_URL": f"http://127.0.0.1:{ports[s]}"
              for s in ("billing", "documents", "jobs")}}
    for service, schema in schemas.items():
        env[f"AFFBILL_{service.upper()}_SERVICE_NAME"] = schema
        env[f"AFFBILL_{service.upper()}_CONSUMER_GROUP"] = f"bench-{run}-{service}"
    try:
        upgrade("affbill_billing", DB, schemas["billing"])
        asyncio.run(load_customers(schemas["billing"], args.customers, args.items))
        with running_services(ports, {**os.environ, **env},
                              Path(tempfile.mkdtemp(prefix="ui-bench-"))):
            asyncio.run(load_documents(schemas["documents"], args.customers))
            job_id = asyncio.run(load_jobs(schemas["jobs"], args.customers))
            print(f"loaded {args.customers:,} customers × {args.items} open items, "
                  f"{args.customers:,} documents, {args.customers:,} jobs", flush=True)
            pairs = {
                "generator": ("/ui/generator", ["/generator?kind=advertiser&page=1&"
                                                "page_size=50"]),
                "invoice list": ("/ui/invoices", ["/invoices?limit=50&offset=0"]),
                "job list": ("/ui/jobs", ["/jobs?limit=50&offset=0"]),
                "job": (f"/ui/jobs/{job_id}", [f"/jobs/{job_id}",
                                               f"/jobs/{job_id}/lines?limit=500"])}
            load_before = os.getloadavg()[0]
            found = asyncio.run(measure(f"http://127.0.0.1:{ports['gateway']}", pairs,
                                        args.requests))
    finally:
        for schema in schemas.values():
            drop_schema(DB, schema)
    print(f"load average: {load_before:.2f} before, {os.getloadavg()[0]:.2f} after "
          f"(on {os.cpu_count()} cores); {args.requests} requests per page, one at a time")
    worst = 0.0
    for name, (_page, calls) in pairs.items():
        (p50, p95), (a50, a95) = figures(found[name][0]), figures(found[name][1])
        worst = max(worst, p95)
        print(f"{name:>12}: page p50_ms={p50:.1f} p95_ms={p95:.1f} | API p50_ms={a50:.1f} "
              f"p95_ms={a95:.1f} ({' + '.join(calls)})")
    print(f"pages_p95_max_ms={worst:.1f}")


if __name__ == "__main__":
    main()
