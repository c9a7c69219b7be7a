"""billing.invoices → documents service over the real broker → stored and relayed."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from affbill_contracts import Envelope, topics
from affbill_contracts.billing import InvoiceIssued
from affbill_documents.entrypoints.messaging import consumer_groups
from affbill_runtime.messaging import ensure_topics, start_groups_at_end
from affbill_runtime.rejected import Rejection, keep
from affbill_runtime.runtime import Runtime
from tests.events import signed
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
                event = signed(Envelope.wrap(InvoiceIssued(document=d, issued_by="anna")))
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
                        "select count(*) from outbox"
                        " where topic = :t and published_at is not null"),
                        {"t": topics.DOCUMENTS_RENDERED})
                if done == len(docs):
                    break
                await asyncio.sleep(0.2)
        async with documents.engine.connect() as conn:
            assert await conn.scalar(text("select count(*) from documents")) == len(docs)
    finally:
        await documents.stop()


async def test_malformed_events_are_kept_as_rejected(documents: Runtime,
                                                     kafka_bootstrap: str) -> None:
    await ensure_topics(kafka_bootstrap)
    await start_groups_at_end(kafka_bootstrap, consumer_groups(documents.settings.group))
    good = invoice(1, number="INV-2026-00990", customer_id="k:rejects")
    not_json, wrong_snapshot = b"{not json", signed(Envelope.wrap(InvoiceIssued(
        document=good, issued_by="anna"))).replace(b'"number":"INV-2026-00990"', b'"number":""')
    await documents.start()
    try:
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
        await producer.start()
        try:
            for value in (not_json, wrong_snapshot,
                          signed(Envelope.wrap(InvoiceIssued(document=good, issued_by="anna")))):
                await producer.send_and_wait(topics.BILLING_INVOICES, value, key=b"k:rejects")
        finally:
            await producer.stop()
        async with asyncio.timeout(60):
            while True:
                async with documents.engine.connect() as conn:
                    done = await conn.scalar(text("select count(*) from documents"))
                if done == 1:
                    break
                await asyncio.sleep(0.2)
        async with documents.engine.connect() as conn:
            kept = (await conn.execute(text(
                "select topic, reason, raw, received_at, \"offset\" from rejected_messages "
                "order by \"offset\""))).mappings().all()
    finally:
        await documents.stop()
    # only this test's messages: other tests' events on the shared topic are refused too
    kept = [r for r in kept if bytes(r["raw"]) in (not_json, wrong_snapshot)]
    assert [bytes(r["raw"]) for r in kept] == [not_json, wrong_snapshot]
    assert {r["topic"] for r in kept} == {topics.BILLING_INVOICES}
    assert "JSON" in kept[0]["reason"] or "Expecting" in kept[0]["reason"]
    assert "number" in kept[1]["reason"]  # the field that failed
    assert all(r["received_at"] is not None for r in kept)


async def test_a_redelivered_rejected_message_is_kept_once(documents: Runtime) -> None:
    bad = Rejection(topics.BILLING_INVOICES, reason="not a JSON object", raw=b"[]", partition=0,
                    offset=7)
    await keep(documents.uow, [bad])
    await keep(documents.uow, [bad])  # the batch came again after a crash
    async with documents.engine.connect() as conn:
        assert await conn.scalar(text("select count(*) from rejected_messages")) == 1
