"""Two billing processes on the real broker and database: one leads the schedules; a due
schedule gives exactly one run; the leader killed (SIGKILL) while its run goes on, the
other process takes over — it finishes that run and starts the next due one, and no run is
started twice."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from affbill_billing.entrypoints.messaging import consumer_groups
from affbill_billing.service_layer import ingest, schedules
from affbill_contracts import AdvertiserSynced, Envelope
from affbill_runtime.messaging import ensure_topics, start_groups_at_end
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import row
from tests.processes import free_port, start_service, wait_ready

pytestmark = pytest.mark.integration
MONTHLY, WEEKLY = 300, 20  # customers per billing frequency


async def seed(billing: Runtime) -> tuple[list[str], list[str]]:
    """Customers with open October items: most monthly, some weekly."""
    c = f"ho-{uuid.uuid4().hex[:6]}"
    partners, stats = [], []
    for n in range(MONTHLY + WEEKLY):
        partners.append(Envelope.wrap(AdvertiserSynced(
            connector=c, advertiser_id=str(n), company=f"Customer {n}", status="active",
            currency="EUR")))
        stats += [r.model_copy(update={"payload": r.payload.model_copy(update={
            "advertiser_id": str(n), "stat_key": r.payload.stat_key.replace("|7|", f"|{n}|")})})
            for r in (row(c, "1004", "10.00000", 1),)]
    await ingest.apply_partners(billing.uow(), partners)
    await ingest.apply_stat_rows(billing.uow(), stats)
    customers = [f"{c}:advertiser:{n}" for n in range(MONTHLY + WEEKLY)]
    async with billing.engine.begin() as conn:
        await conn.execute(text("update billing_profiles set billing_frequency = 'weekly' "
                                "where customer_id = any(:c)"), {"c": customers[MONTHLY:]})
    return customers[:MONTHLY], customers[MONTHLY:]


def tails(logs: Path) -> str:
    return "".join(p.read_text()[-1500:] for p in sorted(logs.glob("billing-*.log")))


async def until(check: Callable[[], Awaitable[Any]], what: str, logs: Path,
                within_s: float = 120) -> Any:
    deadline = time.monotonic() + within_s
    while not (found := await check()):
        assert time.monotonic() < deadline, f"{what}: {tails(logs)}"
        await asyncio.sleep(0.1)
    return found


async def test_one_leader_one_run_and_a_takeover(billing: Runtime, database_url: str,
                                                 kafka_bootstrap: str, tmp_path: Path) -> None:
    monthly, weekly = await seed(billing)
    await ensure_topics(kafka_bootstrap)
    await start_groups_at_end(kafka_bootstrap, consumer_groups(billing.settings.group))
    env = {"DATABASE_URL": database_url, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "AFFBILL_BILLING_SERVICE_NAME": billing.settings.service_name,
           "AFFBILL_BILLING_CONSUMER_GROUP": billing.settings.group,
           "AFFBILL_BILLING_SCHEDULE_EVERY_S": "0.2", "AFFBILL_BILLING_SCHEDULE_ELECTION_S": "0.2",
           "AFFBILL_BILLING_WORK_ITEM_LEASE_S": "3", "AFFBILL_BILLING_RUN_CHUNK_LEASE_S": "3",
           "AFFBILL_BILLING_RUNS_NEED_READY_PERIOD": "false"}  # no sync in this test
    procs: dict[int, subprocess.Popen[bytes]] = {}
    try:
        for name in ("a", "b"):
            port = free_port()
            proc = start_service("affbill-billing", port, env, tmp_path / f"billing-{name}.log")
            wait_ready(f"http://127.0.0.1:{port}/health/ready", proc, timeout=240)  # a busy machine
            procs[proc.pid] = proc
        await _scenario(billing, procs, monthly, weekly, tmp_path)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
                proc.wait(20)


async def _scenario(billing: Runtime, procs: dict[int, subprocess.Popen[bytes]],
                    monthly: list[str], weekly: list[str], logs: Path) -> None:
    async def q(sql: str, **params: Any) -> list[Any]:
        async with billing.engine.connect() as conn:
            return list((await conn.execute(text(sql), params)).all())

    def pid(holder: str) -> int:
        return int(holder.split(":")[1])

    first = await until(lambda: q("select holder from schedule_leadership"), "no leader", logs)
    leader = pid(first[0].holder)
    assert leader in procs
    await schedules.create(billing.engine, {"schedule_id": "monthly", "frequency": "monthly",
                                            "delay_days": 0, "hour": 0}, None, "anna",
                           billing.settings)
    [started] = await until(lambda: q(
        "select run_id, started_by from scheduled_runs where schedule_id = 'monthly' "
        "and status = 'started'"), "the monthly run did not start", logs)
    assert pid(started.started_by) == leader
    procs[leader].send_signal(signal.SIGKILL)  # its run goes on elsewhere, its lead moves
    procs[leader].wait(10)
    [survivor] = [p for p in procs if p != leader]
    await until(lambda: q("select 1 from schedule_leadership where holder like :h",
                          h=f"%:{survivor}:%"), "the other process did not take over", logs)
    await schedules.create(billing.engine, {"schedule_id": "weekly", "frequency": "weekly",
                                            "delay_days": 0, "hour": 0}, None, "anna",
                           billing.settings)
    await until(lambda: q(
        "select 1 from runs r join scheduled_runs s using (run_id) where r.status = 'finished' "
        "having count(*) = 2"), "the scheduled runs did not finish", logs, within_s=180)
    await asyncio.sleep(1)  # more rounds of the new leader: still nothing started again

    scheduled = await q("select schedule_id, run_id, started_by from scheduled_runs "
                        "order by schedule_id")
    assert [(s.schedule_id, pid(s.started_by)) for s in scheduled] == [
        ("monthly", leader), ("weekly", survivor)]
    runs = await q("select run_id from runs")
    assert sorted(r.run_id for r in runs) == sorted(s.run_id for s in scheduled)
    assert len(await q("select 1 from work_items")) == 2
    billed = {r.customer_id: r for r in await q(
        "select customer_id, count(*) as n, min(cast(run_id as text)) as run_id "
        "from invoices group by customer_id")}
    assert set(billed) == set(monthly) | set(weekly)
    assert all(b.n == 1 for b in billed.values())  # nobody billed twice
    run_of = {s.schedule_id: str(s.run_id) for s in scheduled}
    assert {billed[c].run_id for c in monthly} == {run_of["monthly"]}
    assert {billed[c].run_id for c in weekly} == {run_of["weekly"]}
    numbers = [r.number for r in await q("select number from invoices order by number")]
    assert numbers == [f"INV-{numbers[0][4:8]}-{n:05d}" for n in range(1, len(billed) + 1)]
