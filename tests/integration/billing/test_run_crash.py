"""The billing service killed (SIGKILL) mid-run and restarted: once the killed worker's lease
expired the run completes, nothing lost or doubled, numbers gapless, counts complete."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from affbill_billing.entrypoints.messaging import consumer_groups
from affbill_billing.service_layer import ingest
from affbill_contracts import AdvertiserSynced, Envelope, ProcessSelected, encode, topics
from affbill_runtime.messaging import ensure_topics, start_groups_at_end
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import row
from tests.processes import free_port, start_service, wait_ready

pytestmark = pytest.mark.integration
CUSTOMERS = 400


async def test_run_survives_a_kill(billing: Runtime, database_url: str, kafka_bootstrap: str,
                                   tmp_path: Path) -> None:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    partners, stats = [], []
    for n in range(CUSTOMERS):
        partners.append(Envelope.wrap(AdvertiserSynced(connector=c, advertiser_id=str(n),
                                                       company=f"Customer {n}", status="active",
                                                       currency="EUR")))
        stats += [r.model_copy(update={"payload": r.payload.model_copy(update={
            "advertiser_id": str(n), "stat_key": r.payload.stat_key.replace("|7|", f"|{n}|")})})
            for r in (row(c, "1004", "10.00000", 1), row(c, "1004", "5.00000", 1, offer="21"))]
    await ingest.apply_partners(billing.uow(), partners)
    await ingest.apply_stat_rows(billing.uow(), stats)
    group = billing.settings.group
    await ensure_topics(kafka_bootstrap)  # the topics exist even when this test runs alone
    await start_groups_at_end(kafka_bootstrap, consumer_groups(group))
    env = {"DATABASE_URL": database_url, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "AFFBILL_BILLING_SERVICE_NAME": billing.settings.service_name,
           "AFFBILL_BILLING_CONSUMER_GROUP": group,
           "AFFBILL_BILLING_WORK_ITEM_LEASE_S": "3",  # the killed worker's lease expires soon
           "AFFBILL_BILLING_RUNS_NEED_READY_PERIOD": "false"}  # no sync in this test
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_service("affbill-billing", port, env, tmp_path / "billing.log")
    run_id = uuid.uuid4()
    try:
        wait_ready(f"{url}/health/ready", proc)
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
        await producer.start()
        await producer.send_and_wait(topics.BILLING_REQUESTS, encode(Envelope.wrap(ProcessSelected(
            run_id=run_id, customer_ids=[f"{c}:advertiser:{n}" for n in range(CUSTOMERS)],
            requested_by="test"))), key=str(run_id).encode(),
            headers=[("content-type", b"application/json")])
        await producer.stop()
        async with billing.engine.connect() as conn:
            deadline = time.monotonic() + 60
            while await conn.scalar(text("select count(*) from invoices")) < 20:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        async with billing.engine.connect() as conn:
            at_kill = await conn.scalar(text("select count(*) from invoices"))
        assert at_kill < CUSTOMERS, "the run finished before the kill: make it longer"
        proc = start_service("affbill-billing", port, env, tmp_path / "billing.log")
        wait_ready(f"{url}/health/ready", proc)
        async with billing.engine.connect() as conn:
            deadline = time.monotonic() + 120
            while await conn.scalar(text("select status from runs where run_id = :r"),
                                    {"r": run_id}) != "finished":
                assert time.monotonic() < deadline, (tmp_path / "billing.log").read_text()[-2000:]
                await asyncio.sleep(0.2)
            # this run's only: the service also takes other tests' commands from the topic
            while await conn.scalar(text("select status from work_items where subject = :r"),
                                    {"r": run_id}) != "done":
                assert time.monotonic() < deadline, (tmp_path / "billing.log").read_text()[-2000:]
                await asyncio.sleep(0.2)
            run_counts = await conn.scalar(text("select counts from runs where run_id = :r"),
                                           {"r": run_id})
            per_customer = (await conn.execute(text(
                "select customer_id, count(*) from invoices group by 1"))).all()
            numbers = (await conn.execute(text("select number from invoices order by number"))
                       ).scalars().all()
            # only this test's customers: the service also consumes other tests' facts
            still_open = await conn.scalar(text(
                "select count(*) from billable_items where state = 'open' "
                "and customer_id like :c"), {"c": f"{c}:%"})
    finally:
        proc.terminate()
        proc.wait(20)
    assert len(per_customer) == CUSTOMERS and all(n == 1 for _, n in per_customer)
    assert numbers == [f"INV-{numbers[0][4:8]}-{n:05d}" for n in range(1, CUSTOMERS + 1)]
    assert still_open == 0
    # the resumed run reports every document of the run, not only those it created itself
    assert run_counts["documents_created"] == CUSTOMERS
