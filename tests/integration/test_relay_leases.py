"""The outbox relay's leadership on the real broker and database.

The leader holds its advisory lock without an open transaction, so VACUUM removes
dead rows while it runs; a leader whose session is killed stops publishing and a
relay is elected again, with every event sent and each key in order; a row Kafka
refuses for good is set aside with the later rows of its key, and the rest go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import text

from affbill_contracts import Envelope, JobLogLine, decode
from affbill_contracts.codec import encode
from affbill_contracts.topics import TopicSpec
from affbill_runtime.db import UnitOfWork, create_engine, session_factory
from affbill_runtime.messaging import create_producer, ensure_topics
from affbill_runtime.migrations import upgrade
from affbill_runtime.relay import OutboxRelay

pytestmark = pytest.mark.integration
KEYS = 4
WORK_S = 30  # "a minute of normal work", bounded


@pytest.fixture
async def world(database_url: str, kafka_bootstrap: str, schema: str) -> AsyncIterator[Any]:
    await asyncio.to_thread(upgrade, "affbill_jobs", database_url, schema)
    engine = create_engine(database_url, schema, app="affbill-relay-test")
    async with engine.begin() as conn:
        # autovacuum off: the test's own VACUUM must find the dead rows to prove none is held
        await conn.execute(text("create table counters (id int primary key, n int not null) "
                                "with (autovacuum_enabled = false)"))
        await conn.execute(text("insert into counters select g, 0 from generate_series(1, 50) g"))
    topic = f"test.relay.{uuid.uuid4().hex[:8]}"
    await ensure_topics(kafka_bootstrap, [TopicSpec(topic, 3)])
    yield engine, topic
    await engine.dispose()


@contextlib.asynccontextmanager
async def relays(engine: Any, kafka: str, count: int) -> AsyncIterator[list[OutboxRelay]]:
    """``count`` relays competing for the same schema, each with its own producer."""
    producers = [create_producer(kafka, f"relay-test-{n}") for n in range(count)]
    for p in producers:
        await p.start()
    running = [OutboxRelay(engine, p, schema="relay-test", batch_size=50, poll_interval_s=0.05,
                           maintenance_interval_s=1, election_interval_s=0.2) for p in producers]
    tasks = [asyncio.create_task(r.run()) for r in running]
    try:
        yield running
    finally:
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        for p in producers:
            await p.stop()


async def drained(relay: OutboxRelay) -> None:
    for _ in range(300):
        if not await relay.pending():
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the relays did not send everything")


async def write(engine: Any, topic: str, seq: int) -> None:
    """One transaction as a handler writes it: a state change and its event."""
    async with UnitOfWork(session_factory(engine)) as uow:
        await uow.session.execute(text("update counters set n = n + 1 where id = :i"),
                                  {"i": seq % 50 + 1})
        uow.publish(topic, f"k{seq % KEYS}", Envelope.wrap(
            JobLogLine(service="test", seq=seq, level="info", text=f"#{seq}")))
        await uow.commit()


async def long_transactions(pg: asyncpg.Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in await pg.fetch(
        "select pid, application_name, state, query from pg_stat_activity "
        "where datname = current_database() and pid <> pg_backend_pid() "
        "and state like 'idle in transaction%' and xact_start < now() - interval '3 seconds'")]


async def vacuum_verbose(pg: asyncpg.Connection, table: str) -> tuple[int, int]:
    """(removed, dead but not yet removable) tuples of one VACUUM of ``table``."""
    notices: list[str] = []

    def listen(_c: Any, m: Any) -> None:
        notices.append(str(m.message))

    pg.add_log_listener(listen)
    try:
        await pg.execute(f"vacuum (verbose) {table}")
    finally:
        pg.remove_log_listener(listen)
    found = re.search(r"tuples: (\d+) removed, \d+ remain, (\d+) are dead but not yet "
                      r"removable", "\n".join(notices))
    assert found, notices
    return int(found[1]), int(found[2])


async def vacuum_until_clean(pg: asyncpg.Connection, table: str) -> tuple[int, int]:
    """VACUUM ``table`` until no dead row is held back, for at most ~10 s: (removed, held back).

    Any short transaction anywhere in the database (autovacuum's ANALYZE, a relay's poll) holds
    the horizon for a moment; a leader that held a transaction open would hold it for good.
    """
    removed = 0
    for _ in range(20):
        gone, held = await vacuum_verbose(pg, table)
        removed += gone
        if held == 0:
            break
        await asyncio.sleep(0.5)
    return removed, held


async def leader_pid(pg: asyncpg.Connection) -> int | None:
    return await pg.fetchval(
        "select l.pid from pg_locks l join pg_stat_activity a using (pid) "
        "where l.locktype = 'advisory' and l.granted and a.application_name = "
        "'affbill-relay-test' and a.datname = current_database()")


async def read_topic(kafka: str, topic: str, expected: int) -> list[Any]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka, auto_offset_reset="earliest",
                                enable_auto_commit=False)
    await consumer.start()
    records: list[Any] = []
    try:
        idle = 0
        while idle < 4 or len({decode(r.value).event_id for r in records}) < expected:
            batch = await consumer.getmany(timeout_ms=500)
            got = [r for rs in batch.values() for r in rs]
            records += got
            idle = 0 if got else idle + 1
            if idle > 40:
                break
    finally:
        await consumer.stop()
    return records


def first_arrivals_per_key(records: list[Any]) -> dict[str, list[int]]:
    seen: set[uuid.UUID] = set()
    order: dict[str, list[int]] = defaultdict(list)
    for r in sorted(records, key=lambda r: (r.partition, r.offset)):
        env = decode(r.value)
        if env.event_id not in seen:
            seen.add(env.event_id)
            order[r.key.decode()].append(env.payload.seq)
    return order


async def test_leader_holds_no_transaction_and_vacuum_removes_dead_rows(
        world: Any, kafka_bootstrap: str, pg: asyncpg.Connection, schema: str) -> None:
    engine, topic = world
    await pg.execute(f"set search_path = {schema}")
    async with relays(engine, kafka_bootstrap, 2) as running:
        seq, found = 0, []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WORK_S
        next_sample = loop.time() + 4
        while loop.time() < deadline:  # normal work: state changes and their events
            await write(engine, topic, seq)
            seq += 1
            if loop.time() >= next_sample:
                found += await long_transactions(pg)
                next_sample = loop.time() + 2
            await asyncio.sleep(0.01)
        assert sum(r.leading for r in running) == 1
        await drained(running[0])
        found += await long_transactions(pg)
        assert found == [], f"connections idle in transaction: {found}"
        removed, not_removable = await vacuum_until_clean(pg, "counters")
        assert removed > 0 and not_removable == 0
        removed, not_removable = await vacuum_until_clean(pg, "outbox")
        assert not_removable == 0
    assert sum(r.published for r in running) >= seq


async def test_killed_leader_session_stops_publishing_and_a_relay_is_elected_again(
        world: Any, kafka_bootstrap: str, pg: asyncpg.Connection) -> None:
    engine, topic = world
    written = 0
    async with relays(engine, kafka_bootstrap, 2) as running:
        pids: list[int] = []
        for round_ in range(3):
            for _ in range(40):
                await write(engine, topic, written)
                written += 1
            for _ in range(100):
                pid = await leader_pid(pg)
                if pid and pid not in pids:
                    break
                await asyncio.sleep(0.1)
            assert pid and pid not in pids, "no relay was elected after the leader's session died"
            pids.append(pid)
            if round_ < 2:
                await pg.execute("select pg_terminate_backend($1)", pid)
        await drained(running[0])
        assert sum(r.leading for r in running) == 1
    records = await read_topic(kafka_bootstrap, topic, written)
    order = first_arrivals_per_key(records)
    assert sorted(s for seqs in order.values() for s in seqs) == list(range(written))
    for seqs in order.values():
        assert seqs == sorted(seqs), "events of one key arrived out of order"


async def test_a_row_kafka_refuses_is_set_aside_with_the_later_rows_of_its_key(
        world: Any, kafka_bootstrap: str) -> None:
    engine, topic = world
    oversized = b"x" * (11 * 1024 * 1024)  # over the producer's 10 MiB limit
    rows = [("k1", 0, None), ("k1", 1, oversized), ("k1", 2, None), ("k2", 3, None)]
    async with engine.begin() as conn:
        for key, seq, value in rows:
            env = Envelope.wrap(JobLogLine(service="test", seq=seq, level="info", text=f"#{seq}"))
            await conn.execute(text(
                "insert into outbox (event_id, topic, key, value) values (:e, :t, :k, :v)"),
                {"e": uuid.uuid4(), "t": topic, "k": key,
                 "v": value or encode(env)})
    producer = create_producer(kafka_bootstrap, "relay-test")
    await producer.start()
    try:
        relay = OutboxRelay(engine, producer, schema="relay-test")
        assert await relay.relay_once() == 4
        assert await relay.relay_once() == 0  # nothing is stuck: the relay goes on
        assert (await relay.pending(), await relay.failed_rows()) == (0, 2)
        await write(engine, topic, 4)  # k0: a key without a failure goes out as always
        await write(engine, topic, 5)  # k1: still held back behind its failed row
        assert await relay.relay_once() == 2
        assert await relay.failed_rows() == 3
    finally:
        await producer.stop()
    async with engine.connect() as conn:
        failed = (await conn.execute(text(
            "select key, failure from outbox where failed_at is not null order by id"))).all()
    assert "MessageSizeTooLargeError" in failed[0].failure
    assert all(f.key == "k1" for f in failed)
    assert all("held back" in f.failure for f in failed[1:])
    records = await read_topic(kafka_bootstrap, topic, 3)
    assert sorted(decode(r.value).payload.seq for r in records) == [0, 3, 4]
