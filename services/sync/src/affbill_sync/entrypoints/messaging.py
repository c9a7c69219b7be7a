"""Kafka entry points of the sync service: thin subscribers, documented publishers."""

from faststream import AckPolicy
from faststream.kafka import KafkaRouter

from affbill_contracts import topics
from affbill_contracts.adtracker import (
    AdvertiserSynced,
    AffiliateSynced,
    ConversionSynced,
    EmployeeSynced,
    StatRowSynced,
)
from affbill_contracts.envelope import Envelope
from affbill_contracts.jobs import JobFinished, JobLogLine, JobProgress, JobStarted
from affbill_contracts.sync import CancelSync, StartSync
from affbill_runtime.runtime import Runtime
from affbill_sync.service_layer import handlers

# Sent through the outbox relay; declared here so the AsyncAPI document lists them.
PUBLISHES = [
    (topics.ADTRACKER_EMPLOYEES, EmployeeSynced),
    (topics.ADTRACKER_ADVERTISERS, AdvertiserSynced),
    (topics.ADTRACKER_AFFILIATES, AffiliateSynced),
    (topics.ADTRACKER_STATS, StatRowSynced),
    (topics.ADTRACKER_CONVERSIONS, ConversionSynced),
    (topics.JOBS_EVENTS, JobStarted | JobProgress | JobLogLine | JobFinished),
    # the HTTP routes write the one entrance of a sync, through the outbox
    (topics.SYNC_REQUESTS, StartSync | CancelSync),
]


def build_router(runtime: Runtime) -> KafkaRouter:
    router = KafkaRouter()
    for topic, payload in PUBLISHES:
        router.publisher(topic, schema=Envelope[payload], title=f"{topic}:publish")

    @router.subscriber(topics.SYNC_REQUESTS, group_id=runtime.settings.group,
                       auto_offset_reset="earliest", ack_policy=AckPolicy.NACK_ON_ERROR,
                       title=f"{topics.SYNC_REQUESTS}:subscribe")
    async def on_sync_request(envelope: Envelope[StartSync | CancelSync]) -> None:
        if isinstance(envelope.payload, CancelSync):
            applied = await handlers.cancel_sync(runtime.uow(), envelope)
        else:
            applied = await handlers.request_sync(runtime.uow(), envelope,
                                                  runtime.state.settings)
        if applied:
            runtime.state.worker.wake()

    return router

