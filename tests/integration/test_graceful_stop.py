"""SIGTERM while billing applies a stream of stat rows: the process stops inside its grace
period, leaves its consumer group, and nothing is lost or applied twice — the batch it
was handling is handled again after the restart (its offsets were not committed)."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from affbill_billing.entrypoints.messaging import consumer_groups
from affbill_contracts import AdvertiserSynced, Envelope, StatRowSynced, encode, topics
from affbill_contracts.common import PostalAddress
from affbill_runtime.messaging import start_groups_at_end
from tests.processes import free_port, start_service, wait_ready

pytestmark = pytest.mark.integration
ROWS = 3000
GRACE_S = 3


def stat_rows(connector: str) -> list[StatRowSynced]:
    """ROWS stat rows of one advertiser: 30 days × 20 offers × 5 affiliates."""
    day = dt.date(2026, 9, 1)
    return [StatRowSynced(
        connector=connector, date=day + dt.timedelta(days=n % 30), advertiser_id="7",
        stat_key=f"{connector}|{n}", offer_id=str(n // 30 % 20), offer_name="Shop",
        affiliate_id=str(n // 600), currency="EUR", conversions=1,
        revenue=Decimal("1.00001") + Decimal(n) / 100, payout=Decimal(0)) for n in range(ROWS)]


async def send(kafka: str, connector: str, rows: list[StatRowSynced]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=kafka, linger_ms=20)
    await producer.start()
    try:
        await producer.send_and_wait(topics.ADTRACKER_ADVERTISERS, encode(Envelope.wrap(
            AdvertiserSynced(connector=connector, advertiser_id="7", company="Acme",
                             status="active", currency="EUR",
                             address=PostalAddress(lines=["Hauptstr. 1"], city="Berlin",
                                                   country_code="DE")))), key=b"7")
        for row in rows:
            await producer.send(topics.ADTRACKER_STATS, encode(Envelope.wrap(row)), key=b"7")
        await producer.flush()
    finally:
        await producer.stop()


async def billed(database_url: str, customer: str) -> tuple[int, Decimal]:
    conn = await asyncpg.connect(database_url)
    try:
        if not await conn.fetchval("select to_regclass('billing.billable_items') is not null"):
            return 0, Decimal(0)
        count, total = await conn.fetchrow(
            "select count(*), coalesce(sum(revenue), 0) from billing.billable_items "
            "where customer_id = $1", customer)
        return count, total
    finally:
        await conn.close()


async def members(kafka: str, group: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:
        responses = await admin.describe_consumer_groups([group])
        # raw DescribeGroups answers: (error, group, state, protocol type, protocol, members…)
        return sum(len(g[5]) for r in responses for g in r.groups)
    finally:
        await admin.close()


def billing(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    proc = start_service("affbill-billing", port, env, log)
    wait_ready(f"http://127.0.0.1:{port}/health/ready", proc, timeout=300)
    return proc


async def test_sigterm_mid_stream_loses_nothing_and_applies_nothing_twice(
        database_url: str, kafka_bootstrap: str, tmp_path: Path) -> None:
    connector = f"stop-{uuid.uuid4().hex[:6]}"
    customer = f"{connector}:advertiser:7"
    group = f"stop-{uuid.uuid4().hex[:6]}"
    env = {"DATABASE_URL": database_url, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "AFFBILL_BILLING_CONSUMER_GROUP": group,
           "AFFBILL_BILLING_SHUTDOWN_GRACE_S": str(GRACE_S)}
    rows = stat_rows(connector)
    expected = sum((r.revenue for r in rows), Decimal(0))
    port = free_port()
    await start_groups_at_end(kafka_bootstrap, consumer_groups(group))  # only this test's rows
    first = await asyncio.to_thread(billing, port, env, tmp_path / "first.log")
    try:
        await send(kafka_bootstrap, connector, rows)
        for _ in range(600):  # stop it while it is applying
            if (await billed(database_url, customer))[0]:
                break
            await asyncio.sleep(0.05)
        first.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(first.wait, GRACE_S + 17)
    finally:
        if first.poll() is None:
            first.kill()
    log = (tmp_path / "first.log").read_text()
    assert code in (0, -signal.SIGTERM), log[-3000:]
    assert "Application shutdown complete" in log
    # the billing consumer groups of this process: none keeps a member after the stop
    stats_group = f"{group}.{topics.ADTRACKER_STATS}"
    assert await members(kafka_bootstrap, stats_group) == 0

    second = await asyncio.to_thread(billing, port, env, tmp_path / "second.log")
    try:
        for _ in range(1200):
            _count, total = await billed(database_url, customer)
            if total >= expected:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1)  # anything applied twice would show now
        assert (await billed(database_url, customer))[1] == expected
    finally:
        second.terminate()
        await asyncio.to_thread(second.wait, 30)
