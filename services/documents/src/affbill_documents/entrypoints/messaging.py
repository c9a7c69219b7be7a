"""Kafka entry points of the documents service: issued documents in, rendered documents out."""

from __future__ import annotations

from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaRouter

from affbill_contracts import topics
from affbill_contracts.billing import InvoiceCancelled, InvoiceIssued
from affbill_contracts.codec import decode
from affbill_contracts.documents import DocumentRendered
from affbill_contracts.envelope import Envelope
from affbill_contracts.jobs import JobFinished, JobLogLine, JobProgress, JobStarted
from affbill_contracts.signing import secret_or_dev
from affbill_documents.service_layer import rejected, rendering, trust
from affbill_documents.service_layer.rendering import Renders
from affbill_runtime.messaging import raw_records
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
    secret = secret_or_dev(runtime.settings.internal_secret)

    @router.subscriber(topics.BILLING_INVOICES, group_id=group, batch=True,
                       max_records=runtime.settings.render_batch_size, batch_timeout_ms=200,
                       auto_offset_reset="earliest", isolation_level="read_committed",
                       decoder=raw_records, ack_policy=AckPolicy.NACK_ON_ERROR,
                       title=f"{topics.BILLING_INVOICES}:subscribe",
                       description="Batches of Envelope[InvoiceIssued | InvoiceCancelled]")
    async def on_invoices(messages: list[Any]) -> None:
        envelopes, bad = [], []
        for record in messages:
            raw = record.value or b""  # a tombstone (no value) is kept as empty bytes
            try:
                envelope = decode(raw)
            except ValueError as exc:  # pydantic's ValidationError is a ValueError
                bad.append(rejected.Rejected(topics.BILLING_INVOICES, str(exc), raw,
                                             record.partition, record.offset))
                continue
            try:
                trust.verify_issued(raw, envelope, secret)
            except trust.SignatureRejected as exc:  # not issued by billing: never rendered
                bad.append(rejected.Rejected(topics.BILLING_INVOICES, str(exc), raw,
                                             record.partition, record.offset))
                continue
            if isinstance(envelope.payload, InvoiceIssued | InvoiceCancelled):
                envelopes.append(envelope)
        await rejected.keep(runtime.uow, bad)
        if envelopes:
            await rendering.render_invoices(runtime.uow, runtime.state.renderer, envelopes)

    return router
