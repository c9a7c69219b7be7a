"""The trace context crosses the outbox: a row written inside a span keeps its traceparent,
the relay sends it as the Kafka header of that name, and a consumer's batch span continues
that trace (real PostgreSQL and Kafka; the spans go to an in-memory exporter)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import text

from affbill_contracts import Envelope, JobLogLine
from affbill_contracts.topics import TopicSpec
from affbill_runtime import tracing
from affbill_runtime.db import UnitOfWork, create_engine, session_factory
from affbill_runtime.messaging import create_producer, ensure_topics
from affbill_runtime.migrations import upgrade
from affbill_runtime.relay import OutboxRelay
from tests.unit.test_tracing import PARENT, TRACE, spans  # noqa: F401 - the fixture

pytestmark = pytest.mark.integration


async def consumed(kafka: str, topic: str, n: int) -> list[Any]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka, auto_offset_reset="earliest",
                                enable_auto_commit=False)
    await consumer.start()
    try:
        records: list[Any] = []
        async with asyncio.timeout(30):
            while len(records) < n:
                for batch in (await consumer.getmany(timeout_ms=500)).values():
                    records += batch
        return records
    finally:
        await consumer.stop()


async def test_an_outbox_row_carries_its_writers_trace_to_the_consumer(
        database_url: str, kafka_bootstrap: str, schema: str, spans: Any) -> None:  # noqa: F811
    await asyncio.to_thread(upgrade, "affbill_jobs", database_url, schema)
    engine = create_engine(database_url, schema)
    topic = f"test.traces.{uuid.uuid4().hex[:8]}"
    await ensure_topics(kafka_bootstrap, [TopicSpec(topic, 1)])
    sessions = session_factory(engine)
    try:
        with tracing.resumed("work item billing.run.process_selected", PARENT):
            async with UnitOfWork(sessions) as uow:
                uow.publish(topic, "k", Envelope.wrap(JobLogLine(service="t", seq=1,
                                                                 level="info", text="traced")))
                await uow.commit()
        async with UnitOfWork(sessions) as uow:  # outside any span: no context kept
            uow.publish(topic, "k", Envelope.wrap(JobLogLine(service="t", seq=2,
                                                             level="info", text="untraced")))
            await uow.commit()
        async with engine.connect() as conn:
            kept = (await conn.execute(text("select traceparent from outbox order by id"))
                    ).scalars().all()
        assert tracing.trace_id_of(kept[0]) == TRACE and kept[1] is None
        producer = create_producer(kafka_bootstrap, "test")
        await producer.start()
        try:
            assert await OutboxRelay(engine, producer, schema="x").relay_once() == 2
        finally:
            await producer.stop()
    finally:
        await engine.dispose()

    traced, untraced = await consumed(kafka_bootstrap, topic, 2)
    assert tracing.record_header(traced) == kept[0]
    assert tracing.record_header(untraced) is None
    with tracing.consuming(topic, "g", [untraced, traced]):
        pass
    batch = [s for s in spans.get_finished_spans() if s.name == f"{topic} process"]
    assert format(batch[0].context.trace_id, "032x") == TRACE
