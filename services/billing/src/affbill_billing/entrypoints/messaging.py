"""Kafka entry points of the billing service."""

from faststream.kafka import KafkaRouter

from affbill_contracts import topics
from affbill_contracts.billing import InvoiceCancelled, InvoiceIssued
from affbill_contracts.envelope import Envelope
from affbill_contracts.jobs import JobFinished, JobLogLine, JobProgress, JobStarted
from affbill_runtime.runtime import Runtime

# Sent through the outbox relay; declared here so the AsyncAPI document lists them.
PUBLISHES = [
    (topics.BILLING_INVOICES, InvoiceIssued | InvoiceCancelled),
    (topics.JOBS_EVENTS, JobStarted | JobProgress | JobLogLine | JobFinished),
]


def build_router(runtime: Runtime) -> KafkaRouter:
    router = KafkaRouter()
    for topic, payload in PUBLISHES:
        router.publisher(topic, schema=Envelope[payload], title=f"{topic}:publish")
    return router
