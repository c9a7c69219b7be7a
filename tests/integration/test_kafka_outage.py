"""Kafka goes away under a running outbox relay: the events of committed transactions
accumulate in the outbox, the relay keeps its lead and waits, and once the broker is back
it sends every one of them, each key in order. The broker is one of this test's own
(stopping the shared one would stop the suite), started by the project's script."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from affbill_contracts.topics import TopicSpec
from affbill_runtime.db import create_engine
from affbill_runtime.messaging import ensure_topics
from affbill_runtime.migrations import upgrade
from tests.integration.test_relay_leases import (
    KEYS,
    first_arrivals_per_key,
    read_topic,
    relays,
    write,
)
from tests.private_infra import PrivateKafka

pytestmark = pytest.mark.integration
EVENTS = 60


@pytest.fixture
def kafka() -> Iterator[PrivateKafka]:
    if shutil.which("java") is None:
        pytest.skip("no Java to run a broker of the test's own")
    state = Path(tempfile.mkdtemp(prefix="affbill-kafka-outage-"))
    broker = PrivateKafka(state)
    try:
        broker.run("start")
        yield broker
    finally:
        broker.run("stop")
        shutil.rmtree(state, ignore_errors=True)


async def test_events_wait_in_the_outbox_while_kafka_is_away_and_all_go_out_after(
        kafka: PrivateKafka, database_url: str, schema: str) -> None:


    await asyncio.to_thread(upgrade, "affbill_jobs", database_url, schema)
    engine = create_engine(database_url, schema, app="affbill-kafka-outage-test")
    async with engine.begin() as conn:
        await conn.execute(text("create table counters (id int primary key, n int not null)"))
        await conn.execute(text("insert into counters select g, 0 from generate_series(1, 50) g"))
    topic = f"test.outage.{uuid.uuid4().hex[:8]}"
    await ensure_topics(kafka.bootstrap, [TopicSpec(topic, 3)])
    try:
        async with relays(engine, kafka.bootstrap, 1) as [relay]:
            for seq in range(10):  # sent while the broker is there
                await write(engine, topic, seq)
            await asyncio.to_thread(kafka.run, "stop")
            for seq in range(10, EVENTS):  # committed while it is away
                await write(engine, topic, seq)
            await asyncio.sleep(5)
            waiting = await relay.pending()
            assert waiting > 0, "with the broker away the events wait in the outbox"
            assert relay.leading  # still the leader, waiting: not crashed, not resigned
            await asyncio.to_thread(kafka.run, "start")
            for _ in range(240):
                if not await relay.pending():
                    break
                await asyncio.sleep(0.5)
            assert await relay.pending() == 0
        records: list[Any] = await read_topic(kafka.bootstrap, topic, EVENTS)
        order = first_arrivals_per_key(records)
        assert sorted(s for seqs in order.values() for s in seqs) == list(range(EVENTS))
        for key, seqs in order.items():  # each key in the order it was written
            assert seqs == sorted(seqs), key
        assert len(order) == KEYS
    finally:
        await engine.dispose()
