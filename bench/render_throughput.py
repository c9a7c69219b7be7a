"""Rendering: 1,000 issued invoices of 20 lines → rendered, embedded, validated and stored.

    PYTHONPATH=. .venv/bin/python bench/render_throughput.py [--invoices 1000 --lines 20]

Needs PostgreSQL (`make infra`), no Kafka. The invoices go through the documents
service's own handler in batches as the consumer takes them: typst PDF/A-3b,
factur-x embedding, XSD and EN 16931 Schematron for every document in the worker
processes, then the bytes, hashes, documents.rendered events and job lines in one
transaction per batch. Baseline, same run: the same work for a sample of the
invoices in this one process, one after the other, without storing.
Last line: docs_per_s=<n> render_ms_p50=<n> validate_ms_p50=<n>
"""

from __future__ import annotations

import bench.namespace  # noqa: F401 - topics of its own, set before affbill is imported

# isort: split

import argparse
import asyncio
import os
import statistics
import time
import uuid

import asyncpg

from affbill_contracts import Envelope
from affbill_contracts.billing import InvoiceIssued
from affbill_documents.adapters.pool import RenderPool
from affbill_documents.bootstrap import bootstrap
from affbill_documents.config import Settings
from affbill_documents.service_layer.rendering import render_invoices
from affbill_runtime.migrations import upgrade
from tests.unit.documents.samples import invoice

DB = os.environ.get("DATABASE_URL", "postgresql://affbill:affbill@127.0.0.1:54329/affbill")
PLAIN = DB.replace("postgresql+asyncpg://", "postgresql://")


def events(count: int, lines: int) -> list[Envelope[InvoiceIssued]]:
    job_id = uuid.uuid4()
    return [Envelope.wrap(InvoiceIssued(document=invoice(
        lines, number=f"INV-2026-{n:05d}", customer_id=f"bench:advertiser:{n % 97}",
        reverse_charge=n % 3 == 0), issued_by="bench"), job_id=job_id)
        for n in range(1, count + 1)]


async def run(schema: str, todo: list[Envelope[InvoiceIssued]], workers: int, batch: int
              ) -> tuple[float, dict[str, int]]:
    pool = RenderPool(workers)
    await pool.start()  # workers compile the Schematron once, before the clock starts
    settings = Settings(service_name=schema, database_url=DB, render_workers=workers)
    runtime = bootstrap(settings, renderer=pool)
    counts = {"rendered": 0, "failed_validation": 0}
    try:
        started = time.perf_counter()
        for i in range(0, len(todo), batch):
            done = await render_invoices(runtime.uow, pool, todo[i:i + batch])
            for key, value in done.items():
                counts[key] += value
        return time.perf_counter() - started, counts
    finally:
        await runtime.engine.dispose()
        await asyncio.to_thread(pool.close)


async def medians(schema: str) -> tuple[float, float, int]:
    conn = await asyncpg.connect(PLAIN, server_settings={"search_path": schema})
    try:
        row = await conn.fetchrow(
            "select percentile_cont(0.5) within group (order by render_ms) as render, "
            "percentile_cont(0.5) within group (order by validate_ms) as validate, "
            "count(*) as stored from documents")
        return row["render"], row["validate"], row["stored"]
    finally:
        await conn.execute(f'drop schema "{schema}" cascade')
        await conn.close()


def baseline(todo: list[Envelope[InvoiceIssued]]) -> tuple[float, float, float]:
    """One process, one document after the other: (docs/s, render ms p50, validate ms p50)."""
    from affbill_documents.adapters.renderer import Renderer

    renderer = Renderer()
    renderer.render(todo[0].payload.document)  # warm up, as the workers do
    started = time.perf_counter()
    results = [renderer.render(e.payload.document) for e in todo]
    seconds = time.perf_counter() - started
    return (len(todo) / seconds, statistics.median(r.render_ms for r in results),
            statistics.median(r.validate_ms for r in results))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=20)
    parser.add_argument("--workers", type=int, default=Settings().render_workers)
    parser.add_argument("--batch", type=int, default=Settings().render_batch_size)
    parser.add_argument("--baseline", type=int, default=100, help="invoices in the baseline")
    args = parser.parse_args()
    schema = f"documents_bench_{uuid.uuid4().hex[:6]}"
    upgrade("affbill_documents", DB, schema)
    todo = events(args.invoices, args.lines)
    print(f"{args.invoices:,} invoices × {args.lines} lines, {args.workers} render workers, "
          f"batches of {args.batch}", flush=True)
    seconds, counts = asyncio.run(run(schema, todo, args.workers, args.batch))
    render_p50, validate_p50, stored = asyncio.run(medians(schema))
    print(f"service: {seconds:.1f} s, {counts}, {stored} stored")
    base_rate, base_render, base_validate = baseline(todo[:args.baseline])
    print(f"baseline (one process, sequential, not stored, {args.baseline} invoices): "
          f"{base_rate:.1f} docs/s, render_ms_p50={base_render:.0f} "
          f"validate_ms_p50={base_validate:.0f}")
    print(f"docs_per_s={counts['rendered'] / seconds:.1f} render_ms_p50={render_p50:.0f} "
          f"validate_ms_p50={validate_p50:.0f}")


if __name__ == "__main__":
    main()
