"""Kafka entry points of the documents service: issued documents in, rendered documents out."""

from __future__ import annotations

import functools
from typing import Any

from faststream.kafka import KafkaRouter

from affbill_contracts import topics
from affbill_contracts.billing import InvoiceCancelled, InvoiceIssued
from affbill_contracts.codec import decode
from affbill_contracts.documents import DocumentRendered
from affbill_contracts.envelope import Envelope
from affbill_contracts.jobs import JobFinished, JobLogLine, JobProgress, JobStarted
from affbill_documents.service_layer import rendering, trust
from affbill_documents.service_layer.rendering import Renders
from affbill_runtime import consuming, rejected
from affbill_runtime.runtime import Runtime

__all__ = ["Renders", "build_router", "consumer_groups"]

# Sent through the outbox relay; declared here so the AsyncAPI document lists them.
PUBLISHES = [
    (topics.DOCUMENTS_RENDERED, DocumentRendered),
    (topics.JOBS_EVENTS, JobStarted | JobProgress | JobLogLine | JobFinished),
]


def consumer_groups(group: str) -> dict[str, str]:
    """{consumer group: topic} of the subscriber."""
    return {f"{group}.{topics.BILLING_INVOICES}": topics.BILLING_INVOICES}


def build_router(runtime: Runtime) -> KafkaRouter:
    router = KafkaRouter()
    for topic, payload in PUBLISHES:
        router.publisher(topic, schema=Envelope[payload], title=f"{topic}:publish")
    (group,) = consumer_groups(runtime.settings.group)
    secret = runtime.settings.signing_key.decode()

    async def render(envelopes: list[Envelope[Any]]) -> None:
        await rendering.render_invoices(runtime.uow, runtime.state.renderer, envelopes)

    consuming.subscribe(
        router, runtime, topics.BILLING_INVOICES, group,
        consuming.decoding(functools.partial(decode_document, secret=secret), render,
                           functools.partial(rejected.keep, runtime.uow)),
        max_records=runtime.settings.render_batch_size,
        description="Batches of Envelope[InvoiceIssued | InvoiceCancelled]")
    return router


def decode_document(raw: bytes, secret: str) -> Envelope[Any]:
    """An issued or cancelled document that billing signed; anything else is refused with
    the reason (a forged or unsigned one: "signature ...")."""
    envelope = decode(raw)
    if not isinstance(envelope.payload, InvoiceIssued | InvoiceCancelled):
        raise ValueError(f"type: {envelope.type} is not an issued or cancelled document")
    trust.verify_issued(raw, envelope, secret)
    return envelope
