"""Kafka entry points of the sync service: thin subscribers, documented publishers.

sync.requests is consumed through the runtime's consumer (affbill_runtime.consuming): a
command that is not a valid StartSync, or that fails after its retries, goes to the
dead-letter topic and rejected_messages, and the next command is read.
"""

import functools
from typing import Any

from faststream.kafka import KafkaRouter

from affbill_contracts import topics
from affbill_contracts.adtracker import (
    AdvertiserSynced,
    AffiliateSynced,
    ConversionSynced,
    EmployeeSynced,
    StatRowSynced,
)
from affbill_contracts.codec import decode
from affbill_contracts.envelope import Envelope
from affbill_contracts.fx import ExchangeRatesPublished
from affbill_contracts.jobs import JobFinished, JobLogLine, JobProgress, JobStarted
from affbill_contracts.sync import CancelSync, StartSync, SyncSucceeded
from affbill_runtime import consuming, rejected
from affbill_runtime.runtime import Runtime
from affbill_sync.service_layer import handlers

# Sent through the outbox relay; declared here so the AsyncAPI document lists them.
PUBLISHES = [
    (topics.ADTRACKER_EMPLOYEES, EmployeeSynced),
    (topics.ADTRACKER_ADVERTISERS, AdvertiserSynced),
    (topics.ADTRACKER_AFFILIATES, AffiliateSynced),
    (topics.ADTRACKER_STATS, StatRowSynced),
    (topics.ADTRACKER_CONVERSIONS, ConversionSynced),
    (topics.FX_RATES, ExchangeRatesPublished),
    (topics.JOBS_EVENTS, JobStarted | JobProgress | JobLogLine | JobFinished),
    (topics.ADTRACKER_SYNCS, SyncSucceeded),  # through the outbox, with the job's end
    # the HTTP routes write the one entrance of a sync, through the outbox
    (topics.SYNC_REQUESTS, StartSync | CancelSync),
]


def build_router(runtime: Runtime) -> KafkaRouter:
    router = KafkaRouter()
    for topic, payload in PUBLISHES:
        router.publisher(topic, schema=Envelope[payload], title=f"{topic}:publish")

    async def apply_sync_commands(envelopes: list[Envelope[Any]]) -> None:
        for envelope in envelopes:
            if isinstance(envelope.payload, CancelSync):
                applied = await handlers.cancel_sync(runtime.uow(), envelope)
            else:
                applied = await handlers.request_sync(runtime.uow(), envelope,
                                                      runtime.state.settings)
            if applied:
                runtime.state.worker.wake()

    consuming.subscribe(
        router, runtime, topics.SYNC_REQUESTS, runtime.settings.group,
        consuming.decoding(decode_sync_command, apply_sync_commands,
                           functools.partial(rejected.keep, runtime.uow)),
        max_records=100, description="Envelope[StartSync] or Envelope[CancelSync]")
    return router


def decode_sync_command(raw: bytes) -> Envelope[Any]:
    envelope = decode(raw)
    if not isinstance(envelope.payload, StartSync | CancelSync):
        raise ValueError(f"type: {envelope.type} is not a sync command")
    return envelope
