"""Kafka entry points of the jobs service."""

from faststream.kafka import KafkaRouter

from affbill_runtime.runtime import Runtime


def build_router(runtime: Runtime) -> KafkaRouter:
    return KafkaRouter()
