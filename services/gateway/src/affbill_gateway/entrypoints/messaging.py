"""Kafka entry points of the gateway: it only sends (through its outbox): commands, and the
queued job they start. Sync requests go through the sync's own HTTP route, which puts them
on sync.requests; the channel stays declared for tools that send it directly."""

from faststream.kafka import KafkaRouter

from affbill_contracts import topics
from affbill_contracts.billing import ProcessSelected
from affbill_contracts.envelope import Envelope
from affbill_contracts.jobs import JobQueued
from affbill_contracts.sync import StartSync
from affbill_runtime.runtime import Runtime

PUBLISHES = [
    (topics.SYNC_REQUESTS, StartSync),
    (topics.BILLING_REQUESTS, ProcessSelected),
    (topics.JOBS_EVENTS, JobQueued),
]


def build_router(runtime: Runtime) -> KafkaRouter:
    router = KafkaRouter()
    for topic, payload in PUBLISHES:
        router.publisher(topic, schema=Envelope[payload], title=f"{topic}:publish")
    return router
