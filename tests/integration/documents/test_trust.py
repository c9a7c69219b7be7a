"""The documents service renders only invoices billing issued: an InvoiceIssued without
billing's signature, or with a forged one, is kept as rejected ("signature") and never
rendered or listed; a document number is listed once."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from affbill_contracts import Envelope, InvoiceIssued, encode, topics
from affbill_contracts.signing import sign
from affbill_documents.entrypoints.messaging import consumer_groups
from affbill_documents.service_layer.rendering import render_invoices
from affbill_runtime.messaging import ensure_topics, start_groups_at_end
from affbill_runtime.runtime import Runtime
from tests.events import signed
from tests.integration.documents.conftest import stored
from tests.unit.documents.samples import invoice

pytestmark = pytest.mark.integration


async def test_a_forged_invoice_is_not_rendered_and_its_rejection_is_kept(
        documents: Runtime, kafka_bootstrap: str) -> None:
    await ensure_topics(kafka_bootstrap)
    await start_groups_at_end(kafka_bootstrap, consumer_groups(documents.settings.group))
    tag = uuid.uuid4().hex[:6]
    legit = invoice(1, number=f"INV-2026-T{tag}-1", customer_id=f"k:{tag}")
    unsigned_doc = invoice(1, number=f"INV-2026-T{tag}-2", customer_id=f"k:{tag}")
    forged_doc = invoice(1, number=f"INV-2026-T{tag}-3", customer_id=f"k:{tag}")
    unsigned = encode(Envelope.wrap(InvoiceIssued(document=unsigned_doc, issued_by="mallory")))
    forged = encode(sign(Envelope.wrap(InvoiceIssued(document=forged_doc, issued_by="mallory")),
                         "a secret billing does not have"))
    good = signed(Envelope.wrap(InvoiceIssued(document=legit, issued_by="anna")))
    tampered = good.replace(b'"issued_by":"anna"', b'"issued_by":"eve"')  # signed, changed
    await documents.start()
    try:
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
        await producer.start()
        try:
            for value in (unsigned, forged, tampered, good):
                await producer.send_and_wait(topics.BILLING_INVOICES, value,
                                             key=legit.customer_id.encode())
        finally:
            await producer.stop()
        ours = (unsigned, forged, tampered)
        async with asyncio.timeout(60):
            while True:
                async with documents.engine.connect() as conn:
                    kept = [r for r in (await conn.execute(text(
                        "select reason, raw from rejected_messages"))).mappings()
                        if bytes(r["raw"]) in ours]
                if len(kept) == len(ours) and legit.invoice_id in await stored(documents):
                    break
                await asyncio.sleep(0.2)
    finally:
        await documents.stop()
    # the consumer names the exception: "SignatureRejected: signature: …"
    assert all(r["reason"].startswith("SignatureRejected: signature: ") for r in kept)
    assert {bytes(r["raw"]) for r in kept} == set(ours)
    docs = await stored(documents)
    assert docs[legit.invoice_id]["valid"]
    assert not {unsigned_doc.invoice_id, forged_doc.invoice_id} & docs.keys()


async def test_a_number_is_listed_once(documents: Runtime) -> None:
    first = invoice(1, number="INV-2026-07001", customer_id="c:1")
    again = invoice(1, number="INV-2026-07001", customer_id="c:2")  # another invoice
    twins = [invoice(1, number="INV-2026-07002", customer_id=f"c:{n}") for n in (3, 4)]

    def issued(doc: object) -> Envelope[InvoiceIssued]:
        return Envelope.wrap(InvoiceIssued(document=doc, issued_by="anna"))

    renderer = documents.state.renderer
    first_event = issued(first)
    await render_invoices(documents.uow, renderer, [first_event])
    await render_invoices(documents.uow, renderer, [first_event])  # redelivered: no conflict
    duplicate = issued(again)
    counts = await render_invoices(documents.uow, renderer, [duplicate])
    assert counts["rendered"] == 0
    in_batch = [issued(t) for t in twins]
    await render_invoices(documents.uow, renderer, in_batch)
    docs = await stored(documents)
    assert {d["number"]: i for i, d in docs.items()} == {
        "INV-2026-07001": first.invoice_id, "INV-2026-07002": twins[0].invoice_id}
    async with documents.engine.connect() as conn:
        kept = (await conn.execute(text(
            "select reason, raw from rejected_messages order by id"))).mappings().all()
    assert [r["reason"] for r in kept] == [
        f"number: INV-2026-07001 is already the number of invoice {first.invoice_id}",
        f"number: INV-2026-07002 is already the number of invoice {twins[0].invoice_id}"]
    assert [bytes(r["raw"]) for r in kept] == [encode(duplicate), encode(in_batch[1])]
