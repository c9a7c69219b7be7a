"""Batch run: 5,000 customers with 200 open items each → one run over all of them.

    .venv/bin/python bench/batch_run.py [--customers 5000 --items 200 --processes 1]

With ``--convert`` the customers bill in convert mode: their profiles convert into EUR and
every second item is in GBP (an ECB rate is recorded for the run's day), so each document
converts its GBP lines at the rate and keeps their snapshot (the locking path).
With ``--dry-run`` a dry run over the same customers is timed first (it changes nothing,
so the real run then bills the same items): ``dry_run_invoices_per_s`` on the last line.

With ``--processes 2`` the run is measured twice in the same invocation, on two sets of
customers of the same size: once billed by one process, once by two (the command's
process and a second billing process that helps through ``runs.work_on``: the run's
customers are a claimed work list). It prints both and their ratio.

With ``--no-metrics`` the run counts no Prometheus series; tracing follows the ``OTEL_*``
variables (bench/telemetry_overhead.py runs both ways).

Needs PostgreSQL (`make infra`). Customers, profiles and open items are loaded
with COPY (untimed); the run is the billing service's own handler, timed from
the command to the last invoice committed (events land in the outbox in the
same transactions). Last line: invoices_per_s=<n> items_per_s=<n>
baseline_invoices_per_s=<n> ratio=<r> billing_cpu_ms_per_invoice=<n>
database_cpu_ms_per_invoice=<n> — billing_cpu… is the billing process's own CPU time
per document (its Python work, which a loaded machine changes far less than the wall time;
with --processes 2 the command's process only), then the database backends' CPU per document.
"""

from __future__ import annotations

import bench.namespace  # noqa: F401 - topics of its own, set before affbill is imported

# isort: split

import argparse
import asyncio
import datetime as dt
import os
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg

from affbill_billing.bootstrap import bootstrap
from affbill_billing.config import Settings
from affbill_billing.service_layer import runs
from affbill_contracts import Envelope, ProcessSelected
from affbill_runtime import tracing
from affbill_runtime.migrations import upgrade
from bench._stack import drop_schema

DB = os.environ.get("DATABASE_URL", "postgresql://affbill:affbill@127.0.0.1:54329/affbill")
PLAIN = DB.replace("postgresql+asyncpg://", "postgresql://")


async def record_rates(schema: str) -> None:
    """The ECB's GBP rate for the last week (convert mode converts at today's)."""
    conn = await asyncpg.connect(PLAIN, server_settings={"search_path": schema})
    try:
        today = dt.date.today()
        await conn.executemany(
            "insert into exchange_rates (source, base, currency, rate_date, rate) "
            "values ('ecb', 'EUR', 'GBP', $1, 0.86905)",
            [(today - dt.timedelta(days=n),) for n in range(8)])
    finally:
        await conn.close()


async def load(schema: str, customers: int, items: int, kind: str = "advertiser",
               tag: str = "", convert: bool = False) -> list[str]:
    conn = await asyncpg.connect(PLAIN, server_settings={"search_path": schema})
    try:
        ids = [f"bench{tag}:{kind}:{n}" for n in range(customers)]
        await conn.copy_records_to_table("customers", records=[
            (cid, f"bench{tag}", kind, str(n), f"Customer {n}", "active") for n, cid in
            enumerate(ids)], columns=["customer_id", "connector", "kind", "partner_id", "name",
                                      "status"])
        mode = "convert" if convert else "split"
        await conn.copy_records_to_table("billing_profiles", records=[
            (cid, f"Customer {n}", "domestic", "EUR", mode) for n, cid in enumerate(ids)],
            columns=["customer_id", "billing_name", "tax_treatment", "billing_currency",
                     "currency_mode"])
        start = dt.date(2026, 1, 1)
        for _n, cid in enumerate(ids):
            await conn.copy_records_to_table("billable_items", records=[
                (uuid.uuid4(), cid, str(k % 4), f"Offer {k % 4}", start + dt.timedelta(days=k // 4),
                 "GBP" if convert and k % 2 else "EUR", 3, Decimal("37.50000") + Decimal(k) / 1000)
                for k in range(items)],
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
        per_s = len(ids) / (time.perf_counter() - started)
        watcher = await asyncpg.connect(PLAIN)
        try:
            db_s = await backends_cpu_s(watcher)
        finally:
            await watcher.close()
        print(f"baseline: {per_s:.0f} invoices/s, database CPU "
              f"{1000 * db_s / len(ids):.2f} ms per invoice")
        return per_s
    finally:
        await pool.close()


async def run(schema: str, ids: list[str], processes: int = 1) -> tuple[float, dict]:
    """One run over ``ids``, billed by ``processes`` billing processes; (seconds, counts)."""
    runtime = bootstrap(Settings(service_name=schema, database_url=DB))
    run_id = uuid.uuid4()
    helpers = [await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--help-run", schema, str(run_id),
        stdout=asyncio.subprocess.PIPE) for _ in range(processes - 1)]
    for helper in helpers:  # started and connected before the clock starts
        assert helper.stdout is not None
        await asyncio.wait_for(helper.stdout.readline(), 300)
    try:
        command = Envelope.wrap(ProcessSelected(run_id=run_id, customer_ids=ids,
                                                requested_by="bench",
                                                force_reason="bench: no adtracker sync"))
        started, cpu = time.perf_counter(), time.process_time()
        # in the work item's span, as the service runs it (tracing on: every event and
        # job-log line keeps the trace; off: a no-op)
        with tracing.resumed("work item billing.run.process_selected", None):
            counts = await runs.process_selected(runtime.uow, command, runtime.settings)
        seconds = time.perf_counter() - started
        counts["cpu_s"] = time.process_time() - cpu
        async with runtime.engine.connect() as conn:
            counts["db_cpu_s"] = await backends_cpu_s(conn)
            shares = (await conn.exec_driver_sql(
                "select count(*) from run_chunks where run_id = $1 group by claimed_by",
                (run_id,))).scalars().all()
        print(f"chunks of customers billed per process: {sorted(shares, reverse=True)}")
        return seconds, counts
    finally:
        for helper in helpers:
            await asyncio.wait_for(helper.wait(), 60)
        await runtime.engine.dispose()


async def backends_cpu_s(conn: Any) -> float:
    """CPU seconds the database's other client backends used in their lives: the pool
    made for the timed work (read from /proc: the database runs on this machine)."""
    query = ("select pid from pg_stat_activity where datname = current_database() "
             "and backend_type = 'client backend' and pid <> pg_backend_pid()")
    pids = (await conn.fetch(query) if isinstance(conn, asyncpg.Connection)
            else (await conn.exec_driver_sql(query)).all())
    return sum(process_cpu_s(pid) for (pid,) in pids)


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def dry_run(schema: str, ids: list[str]) -> tuple[float, dict]:
    """A dry run over ``ids`` (what the run would do; nothing changes); (seconds, counts)."""
    runtime = bootstrap(Settings(service_name=schema, database_url=DB))
    try:
        command = Envelope.wrap(ProcessSelected(run_id=uuid.uuid4(), customer_ids=ids,
                                                requested_by="bench", dry_run=True))
        started = time.perf_counter()
        counts = await runs.process_selected(runtime.uow, command, runtime.settings)
        return time.perf_counter() - started, counts
    finally:
        await runtime.engine.dispose()


async def help_run(schema: str, run_id: uuid.UUID) -> None:
    """A second billing process: helps the run until it finished."""
    runtime = bootstrap(Settings(service_name=schema, database_url=DB))
    try:
        async with runtime.engine.connect() as conn:
            print("ready", flush=True)
            while True:
                await runs.work_on(runtime.uow, run_id, runtime.settings)
                status = (await conn.exec_driver_sql(
                    "select status from runs where run_id = $1", (run_id,))).scalar()
                await conn.commit()
                if status == "finished":
                    return
                await asyncio.sleep(0.05)
    finally:
        await runtime.engine.dispose()


class _Uncounted:
    """A Prometheus series that counts nothing."""

    def labels(self, *_: object) -> _Uncounted:
        return self

    def inc(self, *_: object) -> None:
        pass

    def observe(self, *_: object) -> None:
        pass


def without_metrics() -> None:
    """The run's series (documents issued, run duration) count nothing in this process."""
    from affbill_billing.service_layer import run_numbering
    run_numbering.DOCUMENTS_ISSUED = _Uncounted()  # type: ignore[assignment]
    runs.RUN_SECONDS = _Uncounted()  # type: ignore[assignment]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--baseline-customers", type=int, default=1000)
    parser.add_argument("--processes", type=int, choices=(1, 2), default=1)
    parser.add_argument("--convert", action="store_true",
                        help="customers in convert mode: half their items in GBP")
    parser.add_argument("--dry-run", action="store_true",
                        help="also time a dry run over the first set of customers")
    parser.add_argument("--no-metrics", action="store_true",
                        help="the run counts no Prometheus series (telemetry_overhead.py's "
                             "baseline)")
    parser.add_argument("--help-run", nargs=2, metavar=("SCHEMA", "RUN_ID"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.no_metrics:
        without_metrics()
    if args.help_run:
        asyncio.run(help_run(args.help_run[0], uuid.UUID(args.help_run[1])))
        return
    schema = f"billing_bench_{uuid.uuid4().hex[:6]}"
    upgrade("affbill_billing", DB, schema)
    try:
        if args.convert:
            asyncio.run(record_rates(schema))
        sets = [asyncio.run(load(schema, args.customers, args.items, tag=str(n),
                                 convert=args.convert))
                for n in range(args.processes)]
        others = asyncio.run(load(schema, args.baseline_customers, args.items, "affiliate"))
        print(f"loaded {len(sets)} × {args.customers:,} customers × {args.items} open items "
              f"(+ {len(others):,} for the baseline)"
              f"{'; convert mode, half the items in GBP' if args.convert else ''}", flush=True)
        baseline = asyncio.run(floor(schema, others, Settings().run_concurrency))
        dry = None
        if args.dry_run:
            seconds, counts = asyncio.run(dry_run(schema, sets[0]))
            print(f"dry run: {seconds:.1f} s, {counts}")
            dry = counts["documents"] / seconds
        measured = []
        for processes, ids in enumerate(sets, start=1):
            load_before = os.getloadavg()[0]
            seconds, counts = asyncio.run(run(schema, ids, processes))
            print(f"run with {processes} process(es): {seconds:.1f} s, {counts}; load average "
                  f"{load_before:.2f} → {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
            measured.append(counts["documents_created"] / seconds)
            cpu_ms = 1000 * counts["cpu_s"] / max(counts["documents_created"], 1)
            db_ms = 1000 * counts["db_cpu_s"] / max(counts["documents_created"], 1)
    finally:
        drop_schema(DB, schema)
    if len(measured) == 2:
        print(f"one_process_invoices_per_s={measured[0]:.0f} "
              f"two_processes_invoices_per_s={measured[1]:.0f} "
              f"ratio={measured[1] / measured[0]:.2f}")
    print(f"invoices_per_s={measured[-1]:.0f} "
          f"items_per_s={measured[-1] * args.items:.0f} "
          f"baseline_invoices_per_s={baseline:.0f} ratio={measured[-1] / baseline:.2f} "
          f"billing_cpu_ms_per_invoice={cpu_ms:.2f} database_cpu_ms_per_invoice={db_ms:.2f}"
          + ("" if dry is None else f" dry_run_invoices_per_s={dry:.0f}"))


if __name__ == "__main__":
    main()
