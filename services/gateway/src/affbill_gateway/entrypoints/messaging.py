"""Kafka entry points of the gateway: it only sends commands (through its outbox)."""

from faststream.kafka import KafkaRouter

from affbill_contracts import topics
from affbill_contracts.billing import ProcessSelected
from affbill_contracts.envelope import Envelope
from affbill_contracts.sync import StartSync
from affbill_runtime.runtime import Runtime

PUBLISHES = [
    (topics.SYNC_REQUESTS, StartSync),
    (topics.BILLING_REQUESTS, ProcessSelected),
]


def build_router(runtime: Runtime) -> KafkaRouter:
    router = KafkaRouter()
    for topic, payload in PUBLISHES:
        router.publisher(topic, schema=Envelope[payload], title=f"{topic}:publish")
    return router
