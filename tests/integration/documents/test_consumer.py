"""billing.invoices → documents service over the real broker → stored and relayed."""

from __future__ import annotations

import asyncio

import pytest
from affbill_contracts import Envelope, encode, topics
from affbill_contracts.billing import InvoiceIssued
from affbill_documents.entrypoints.messaging import consumer_groups
from affbill_runtime.messaging import ensure_topics, start_groups_at_end
from affbill_runtime.runtime import Runtime
from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from tests.unit.documents.samples import invoice

pytestmark = pytest.mark.integration


async def test_invoices_on_kafka_are_rendered_and_announced(documents: Runtime,
                                                            kafka_bootstrap: str) -> None:
    await ensure_topics(kafka_bootstrap)
    await start_groups_at_end(kafka_bootstrap, consumer_groups(documents.settings.group))
    docs = [invoice(2, number=f"INV-2026-{900 + n:05d}", customer_id=f"k:{n}") for n in range(4)]
    await documents.start()
    try:
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
        await producer.start()
        try:
            for d in docs:
                event = encode(Envelope.wrap(InvoiceIssued(document=d, issued_by="anna")))
                await producer.send_and_wait(topics.BILLING_INVOICES, event,
                                             key=d.customer_id.encode())
                await producer.send_and_wait(topics.BILLING_INVOICES, event,  # redelivered
                                             key=d.customer_id.encode())
        finally:
            await producer.stop()
        async with asyncio.timeout(60):
            while True:
                async with documents.engine.connect() as conn:
                    done = await conn.scalar(text(
                        "select count(*) from outbox where topic = :t and published_at is not null"),
                        {"t": topics.DOCUMENTS_RENDERED})
                if done == len(docs):
                    break
                await asyncio.sleep(0.2)
        async with documents.engine.connect() as conn:
            assert await conn.scalar(text("select count(*) from documents")) == len(docs)
    finally:
        await documents.stop()
