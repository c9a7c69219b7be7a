"""adtracker.stats applied exactly once by consumer position, on the real database and broker."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from affbill_billing.bootstrap import bootstrap
from affbill_billing.config import Settings
from affbill_billing.entrypoints.messaging import consumer_groups
from affbill_billing.service_layer.ingest import Delivered, apply_stat_stream
from affbill_contracts import encode, topics
from affbill_runtime.messaging import ensure_topics, start_groups_at_end
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import row

pytestmark = pytest.mark.integration
STATS = topics.ADTRACKER_STATS


async def open_items(runtime: Runtime, c: str) -> list[tuple[Any, ...]]:
    async with runtime.engine.connect() as conn:
        rows = await conn.execute(text(
            "select offer_id, units, revenue from billable_items where customer_id = :c "
            "and state = 'open' order by offer_id"), {"c": f"{c}:advertiser:7"})
        return [tuple(r) for r in rows]


async def count(runtime: Runtime, sql: str) -> int:
    async with runtime.engine.connect() as conn:
        return (await conn.execute(text(sql))).scalar_one()


def delivered(partition: int, offset: int, value: bytes) -> Delivered:
    return Delivered(STATS, partition, offset, value)


async def test_a_redelivered_or_replayed_batch_changes_nothing(billing: Runtime) -> None:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    batch = [delivered(0, 10, encode(row(c, "1", "10.00000", 1))),
             delivered(0, 11, encode(row(c, "2", "5.00000", 1))),
             delivered(0, 12, b'{"type": "adtracker.stat_row.synced"}'),
             delivered(1, 3, encode(row(c, "1", "20.00000", 2, offer="21")))]
    assert await apply_stat_stream(billing.uow, batch) == 4
    expected = [("20", 2, Decimal("15")), ("21", 2, Decimal("20"))]
    assert await open_items(billing, c) == expected
    assert await count(billing, "select count(*) from rejected_messages") == 1

    assert await apply_stat_stream(billing.uow, batch) == 0  # redelivered
    assert await apply_stat_stream(billing.uow, batch[:2]) == 0  # replayed from the start
    assert await open_items(billing, c) == expected
    assert await count(billing, "select count(*) from rejected_messages") == 1

    # a batch that overlaps what was applied: only the new offsets count
    later = [*batch[2:], delivered(0, 13, encode(row(c, "2", "7.50000", 3)))]
    assert await apply_stat_stream(billing.uow, later) == 1
    assert await open_items(billing, c) == [("20", 4, Decimal("17.5")), *expected[1:]]


async def test_the_last_word_wins_across_chunks(billing: Runtime) -> None:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    values = ["1.00000", "2.00000", "3.00000", "4.00000", "5.00000"]
    batch = [delivered(2, i, encode(row(c, "1", v, i + 1))) for i, v in enumerate(values)]
    assert await apply_stat_stream(billing.uow, batch, chunk_size=2) == 5
    assert await open_items(billing, c) == [("20", 5, Decimal("5"))]
    positions = await count(billing, "select \"offset\" from consumer_positions "
                                     f"where topic = '{STATS}' and partition = 2")
    assert positions == 4


async def test_a_second_consumer_group_replaying_the_topic_changes_nothing(
        billing: Runtime, database_url: str, kafka_bootstrap: str) -> None:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    replay = bootstrap(Settings(service_name=billing.settings.service_name,
                                database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap,
                                consumer_group=f"replay-{uuid.uuid4().hex[:6]}"))
    await ensure_topics(kafka_bootstrap)
    for runtime in (billing, replay):  # both groups start just before these events
        await start_groups_at_end(kafka_bootstrap, consumer_groups(runtime.settings.group))

    async def send(*events: bytes) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
        await producer.start()
        try:
            for event in events:
                await producer.send_and_wait(STATS, event, key=c.encode())
        finally:
            await producer.stop()

    async def until(runtime: Runtime, expected: list[tuple[Any, ...]]) -> None:
        for _ in range(240):
            if await open_items(runtime, c) == expected:
                return
            await asyncio.sleep(0.25)
        raise AssertionError(f"items never became {expected}: {await open_items(runtime, c)}")

    await send(encode(row(c, "1", "10.00000", 1)), encode(row(c, "1", "12.00000", 2)),
               b"not json")
    await billing.start()
    try:
        await until(billing, [("20", 2, Decimal("12"))])
    finally:
        await billing.stop()
    # the first value invoiced meanwhile would make a replay of "10.00000" an adjustment
    async with billing.engine.begin() as conn:
        await conn.execute(text("update billable_items set state = 'invoiced', "
                                "invoice_id = gen_random_uuid() where customer_id = :c"),
                           {"c": f"{c}:advertiser:7"})
    await replay.start()
    try:
        await send(encode(row(c, "2", "1.00000", 1)))  # behind the replayed ones, same partition
        await until(replay, [("20", 1, Decimal("1"))])
    finally:
        await replay.stop()
        await replay.engine.dispose()
    assert await count(billing, "select count(*) from rejected_messages") == 1
    assert await count(billing, "select count(*) from billable_items") == 2
