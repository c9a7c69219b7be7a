"""Fault campaign: the whole stack keeps syncing, billing and rendering while faults hit it.

    PYTHONPATH=. .venv/bin/python bench/fault_campaign.py [--faults 100] [--pause-s 8]

Runs its own Kafka broker and PostgreSQL cluster (never the shared ones), the simulator and
the five services. A workload goes on all the time: month after month, a sync of the month
(ingest), a run over the month's advertisers once it is ready (invoices), and the documents
service rendering each one. Meanwhile the faults come in turn (bench/_faults.KINDS): kill -9
of each service, a broker restart, a PostgreSQL restart (immediate shutdown), the broker
frozen with SIGSTOP and thawed with SIGCONT; after each, the campaign waits until every
service is ready again. Then one last sync of the whole window, and the checks:
- every stat row applied exactly once: per customer, offer, day and currency, billing's
  billable items add up to its stat rows, and the stat rows to the simulator's truth;
- no billable item on two documents; no gap in any number series;
- no lost document: every numbered invoice or credit note is rendered;
- every job finished.
Last line: faults=<n> double_billed=<n> lost=<n> gaps=<n> unfinished_jobs=<n>
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import signal
import sys
import threading
import time
from decimal import Decimal
from typing import Any

import asyncpg
import httpx

from bench._faults import KEY, KINDS, World, world

LAST_LINE = ("faults", "double_billed", "lost", "gaps", "unfinished_jobs")
DONE = ("succeeded", "succeeded_with_warnings", "failed", "cancelled")
CHECKS = {
    # groups whose billable items exceed / fall short of their stat rows
    "items": """
        with s as (select customer_id, offer_id, day, currency, sum(revenue) r
                   from billing.stat_rows group by 1, 2, 3, 4),
             i as (select customer_id, offer_id, day, currency, sum(revenue) r
                   from billing.billable_items group by 1, 2, 3, 4)
        select count(*) filter (where coalesce(i.r, 0) > coalesce(s.r, 0)),
               count(*) filter (where coalesce(i.r, 0) < coalesce(s.r, 0))
        from s full join i using (customer_id, offer_id, day, currency)""",
    "two_documents": """
        select count(*) from (select item_id from billing.billable_items
                              where invoice_id is not null group by item_id
                              having count(distinct invoice_id) > 1) twice""",
    "gaps": r"""
        with n as (select regexp_replace(number, '\d+(\D*)$', '#\1') pattern,
                          (regexp_match(number, '(\d+)\D*$'))[1]::bigint c
                   from billing.invoices where number is not null)
        select coalesce(sum(hi - lo + 1 - k), 0) from (
            select max(c) hi, min(c) lo, count(distinct c) k from n group by pattern) g""",
    "lost_documents": """
        select count(*) from billing.invoices i where i.number is not null
        and not exists (select 1 from documents.documents d where d.invoice_id = i.invoice_id)""",
    "unfinished_jobs": f"select count(*) from jobs.jobs where status not in {DONE}",
    "volumes": """
        select (select count(*) from billing.stat_rows), (select count(*) from billing.invoices
        where number is not null), (select count(*) from documents.documents),
        (select count(*) from jobs.jobs)""",
    "advertiser_revenue": """
        select split_part(customer_id, ':', 3), currency, sum(revenue) from billing.stat_rows
        where customer_id like '%:advertiser:%' group by 1, 2""",
}


async def query(db: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(db)
    try:
        return await conn.fetch(sql)
    finally:
        await conn.close()


class Workload(threading.Thread):
    """Month after month: sync it, run it once ready; HTTP failures (a fault) are retried."""

    def __init__(self, w: World, months: list[dt.date]) -> None:
        super().__init__(name="workload", daemon=True)
        self.w, self.months, self.stop = w, months, threading.Event()
        self.jobs: list[str] = []

    def call(self, api: httpx.Client, method: str, path: str, **kw: Any) -> httpx.Response:
        while True:
            try:
                answer = api.request(method, path, **kw)
                if answer.status_code < 500:
                    return answer
            except httpx.HTTPError:
                pass
            time.sleep(1)

    def finished(self, api: httpx.Client, job_id: str, timeout_s: float = 300) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and not self.stop.is_set():
            job = self.call(api, "GET", f"/jobs/{job_id}")
            if job.status_code == 200 and job.json().get("status") in DONE:
                return
            time.sleep(1)

    def month(self, api: httpx.Client, first: dt.date) -> None:
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        sync = self.call(api, "POST", "/adtracker/syncs", json={
            "connector": "hasoffers-sim", "scope": "standard", "date_from": str(first),
            "date_to": str(last)}).json()["job_id"]
        self.jobs.append(sync)
        self.finished(api, sync)
        if self.stop.is_set():
            return
        answer = self.call(api, "POST", "/runs", json={
            "all": True, "period": f"{first:%Y-%m}", "customer_kind": "advertiser"})
        if answer.status_code == 202:  # 409: nothing open to bill (billed in an earlier round)
            self.jobs.append(answer.json()["job_id"])
            self.finished(api, answer.json()["job_id"])

    def run(self) -> None:
        with httpx.Client(base_url=self.w.url["gateway"] + "/api/v1", timeout=60,
                          headers={"X-API-Key": KEY}) as api:
            for first in itertools.cycle(self.months):
                if self.stop.is_set():
                    return
                self.month(api, first)


def months_before(today: dt.date, count: int) -> list[dt.date]:
    first = today.replace(day=1)
    found = []
    for _ in range(count):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        found.append(first)
    return sorted(found)


def checks(w: World, months: list[dt.date], report: bool = False) -> dict[str, int]:
    """The campaign's findings, once the stack is quiet (see the module's docstring)."""
    db = w.db
    (more, less), = [tuple(r) for r in asyncio.run(query(db, CHECKS["items"]))]
    truth = httpx.get(f"{w.url['simulator']}/control/truth", params={
        "date_from": str(months[0]), "date_to": str(
            (months[-1] + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1))}).json()
    billed = {(r[0], r[1]): r[2] for r in asyncio.run(query(db, CHECKS["advertiser_revenue"]))}
    short = sum(Decimal(t["revenue"]) > billed.get((t["advertiser_id"], t["currency"]), 0)
                for t in truth)
    over = sum(Decimal(t["revenue"]) < billed.get((t["advertiser_id"], t["currency"]), 0)
               for t in truth)
    one = {name: asyncio.run(query(db, CHECKS[name]))[0][0]
           for name in ("two_documents", "gaps", "lost_documents", "unfinished_jobs")}
    stat_rows, documents, rendered, jobs = asyncio.run(query(db, CHECKS["volumes"]))[0]
    found = {"double_billed": more + over + one["two_documents"],
             "lost": less + short + one["lost_documents"], "gaps": one["gaps"],
             "unfinished_jobs": one["unfinished_jobs"]}
    if report:  # what the findings are about: no finding in nothing would prove nothing
        print(f"checked: {stat_rows} stat rows, {len(truth)} advertiser totals from the "
              f"simulator, {documents} numbered documents, {rendered} rendered, {jobs} jobs",
              flush=True)
        found |= {"stat_rows": stat_rows, "truth": len(truth), "documents": documents}
    return found


def quiet(w: World, months: list[dt.date], timeout_s: float = 900) -> None:
    """One last sync of the whole window, then wait for every job and every document."""
    with httpx.Client(base_url=w.url["gateway"] + "/api/v1", timeout=60,
                      headers={"X-API-Key": KEY}) as api:
        workload = Workload(w, months)
        for first in months:
            workload.month(api, first)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = checks(w, months)
        if not found["unfinished_jobs"] and not found["lost"]:
            return
        time.sleep(3)


def campaign(faults: int, pause_s: float = 8.0, months: int = 3,
             simulator_args: tuple[str, ...] = ()) -> dict[str, int]:
    """Run the workload under ``faults`` faults; the checks' findings with ``faults``."""
    window = months_before(dt.date.today(), months)
    scale = ("--advertisers", "8", "--affiliates", "12", "--rows-per-day", "40",
             "--start-date", str(window[0]), "--days", str((dt.date.today().replace(day=1)
                                                           - window[0]).days),
             *simulator_args)
    with world(scale) as w:
        load = Workload(w, window)
        load.start()
        for n in range(faults):
            kind = KINDS[n % len(KINDS)]
            print(f"fault {n + 1}/{faults}: {kind}", flush=True)
            w.inject(kind, pause_s)
            w.wait_ready()
            time.sleep(2)
        load.stop.set()
        load.join(120)
        quiet(w, window)
        return {"faults": faults, **checks(w, window, report=True)}  # + what was checked


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # finally blocks stop the world
    parser = argparse.ArgumentParser()
    parser.add_argument("--faults", type=int, default=100)
    parser.add_argument("--pause-s", type=float, default=8.0)
    parser.add_argument("--months", type=int, default=3)
    args = parser.parse_args()
    started = time.monotonic()
    found = campaign(args.faults, args.pause_s, args.months)
    print(f"campaign took {time.monotonic() - started:.0f} s", flush=True)
    print(" ".join(f"{k}={found[k]}" for k in LAST_LINE))


if __name__ == "__main__":
    main()
