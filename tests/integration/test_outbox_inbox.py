"""Outbox and inbox on the real broker and database: exactly one effect per event.

The relay crashes after Kafka acknowledged a batch but before marking it sent,
so the batch goes out twice; consumers crash after their effect committed but
before their offset did, so messages arrive again. Each event still has one
effect, and events of one key keep their order.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from sqlalchemy import text

from affbill_contracts import Envelope, JobLogLine, decode
from affbill_contracts.topics import TopicSpec
from affbill_runtime.db import UnitOfWork, create_engine, session_factory
from affbill_runtime.messaging import apply_once, create_broker, create_producer, ensure_topics
from affbill_runtime.migrations import upgrade
from affbill_runtime.relay import OutboxRelay

pytestmark = pytest.mark.integration
EVENTS, KEYS = 60, 4


class Crash(Exception):
    """Stands for the process dying at that point."""


class RelayDyingBeforeMark(OutboxRelay):
    async def _mark_published(self, conn: Any, ids: Any) -> None:
        raise Crash("relay died after Kafka acknowledged, before marking sent")


@pytest.fixture
async def world(database_url: str, kafka_bootstrap: str, schema: str) -> Any:
    await asyncio.to_thread(upgrade, "affbill_jobs", database_url, schema)
    engine = create_engine(database_url, schema)
    async with engine.begin() as conn:
        await conn.execute(text("create table effects (event_id uuid primary key, "
                                "applied int not null, key text not null, n int not null)"))
    topic = f"test.outbox.{uuid.uuid4().hex[:8]}"
    await ensure_topics(kafka_bootstrap, [TopicSpec(topic, 3)])
    yield engine, topic
    await engine.dispose()


async def write_events(engine: Any, topic: str) -> list[Envelope[JobLogLine]]:
    sessions = session_factory(engine)
    written = []
    for n in range(EVENTS):  # one transaction each, as handlers do
        envelope = Envelope.wrap(JobLogLine(service="test", seq=n, level="info", text=f"#{n}"))
        async with UnitOfWork(sessions) as uow:
            uow.publish(topic, f"k{n % KEYS}", envelope)
            await uow.commit()
        written.append(envelope)
    return written


async def relay_with_crash(engine: Any, kafka: str, topic: str) -> None:
    producer = create_producer(kafka, "test")
    await producer.start()
    try:
        with pytest.raises(Crash):
            await RelayDyingBeforeMark(engine, producer, schema="x", batch_size=EVENTS // 2
                                       ).relay_once()
    finally:
        await producer.stop()
    # a new relay process takes over and sends everything not marked, the first batch again
    producer = create_producer(kafka, "test")
    await producer.start()
    try:
        relay = OutboxRelay(engine, producer, schema="x", batch_size=EVENTS // 2)
        while await relay.relay_once():
            pass
        assert await relay.pending() == 0
    finally:
        await producer.stop()


async def effect(uow: UnitOfWork, fresh: list[Envelope[Any]]) -> None:
    for env in fresh:
        await uow.session.execute(
            text("insert into effects values (:id, 1, :key, :n) "
                 "on conflict (event_id) do update set applied = effects.applied + 1"),
            {"id": env.event_id, "key": f"k{env.payload.seq % KEYS}", "n": env.payload.seq})


async def count_on_topic(kafka: str, topic: str) -> int:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka, auto_offset_reset="earliest",
                                enable_auto_commit=False)
    await consumer.start()
    try:
        total, idle = 0, 0
        while idle < 3:
            batch = await consumer.getmany(timeout_ms=500)
            got = sum(len(v) for v in batch.values())
            total, idle = total + got, (idle + 1 if not got else 0)
        return total
    finally:
        await consumer.stop()


async def assert_exactly_once(engine: Any, written: list[Envelope[Any]]) -> None:
    async with engine.connect() as conn:
        rows = (await conn.execute(text("select event_id, applied from effects"))).all()
    assert len(rows) == len(written)
    assert {r.event_id for r in rows} == {e.event_id for e in written}
    assert all(r.applied == 1 for r in rows)


async def test_relay_crash_and_faststream_consumer_crash_give_one_effect(world: Any,
                                                                       kafka_bootstrap: str,
                                                                       database_url: str,
                                                                       schema: str) -> None:
    engine, topic = world
    written = await write_events(engine, topic)
    await relay_with_crash(engine, kafka_bootstrap, topic)
    assert await count_on_topic(kafka_bootstrap, topic) == EVENTS + EVENTS // 2  # duplicates sent

    sessions = session_factory(engine)
    seen_first_time: set[uuid.UUID] = set()
    order: dict[str, list[int]] = defaultdict(list)
    done = asyncio.Event()
    broker: KafkaBroker = create_broker(kafka_bootstrap, "test")

    @broker.subscriber(topic, group_id=f"g-{uuid.uuid4().hex[:6]}", auto_offset_reset="earliest",
                       ack_policy=AckPolicy.NACK_ON_ERROR)
    async def consume(envelope: Envelope[JobLogLine]) -> None:
        await apply_once(UnitOfWork(sessions), "test.consumer", [envelope], effect)
        if envelope.event_id not in seen_first_time:
            seen_first_time.add(envelope.event_id)
            order[f"k{envelope.payload.seq % KEYS}"].append(envelope.payload.seq)
            # effect committed, offset not: the message must come again
            raise Crash("consumer died before committing its offset")
        if len(seen_first_time) == EVENTS:
            done.set()

    async with broker:
        await broker.start()
        await asyncio.wait_for(done.wait(), 90)
        await asyncio.sleep(1)  # let trailing duplicates arrive: they must change nothing
    await assert_exactly_once(engine, written)
    for seqs in order.values():
        assert seqs == sorted(seqs), "events of one key arrived out of order"


async def test_consumer_restart_without_offset_commit_reapplies_nothing(
        world: Any, kafka_bootstrap: str) -> None:
    engine, topic = world
    written = await write_events(engine, topic)
    await relay_with_crash(engine, kafka_bootstrap, topic)
    sessions = session_factory(engine)
    group = f"g-{uuid.uuid4().hex[:6]}"

    async def consume_all(commit: bool) -> int:
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka_bootstrap, group_id=group,
                                    auto_offset_reset="earliest", enable_auto_commit=False)
        await consumer.start()
        applied, idle = 0, 0
        try:
            while idle < 4:
                batch = await consumer.getmany(timeout_ms=500, max_records=25)
                records = [r for rs in batch.values() for r in rs]
                idle = idle + 1 if not records else 0
                if records:
                    applied += await apply_once(UnitOfWork(sessions), "test.batch",
                                                [decode(r.value) for r in records], effect)
                    if commit:
                        await consumer.commit()
        finally:
            await consumer.stop()  # without commit: as if killed
        return applied

    assert await consume_all(commit=False) == EVENTS
    assert await consume_all(commit=True) == 0  # everything redelivered, nothing re-applied
    await assert_exactly_once(engine, written)
