"""Kafka entry points of the billing service: adtracker facts and rates in, invoices out.

Every subscriber consumes through the runtime's consumer (affbill_runtime.consuming):
batches of raw records, read committed only (the sync publishes in transactions),
each decoded with the contract; a message that is not valid, or that fails to apply
after its retries, goes to the dead-letter topic and rejected_messages, and the
consumer goes on.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faststream.kafka import KafkaRouter

from affbill_billing.service_layer import ingest, rates, work_items
from affbill_contracts import topics
from affbill_contracts.adtracker import (
    AdvertiserSynced,
    AffiliateSynced,
    ConversionSynced,
    EmployeeSynced,
)
from affbill_contracts.billing import (
    InvoiceCancelled,
    InvoiceIssued,
    IssueDrafts,
    ProcessSelected,
)
from affbill_contracts.codec import decode, decode_as
from affbill_contracts.envelope import Envelope
from affbill_contracts.fx import ExchangeRatesPublished
from affbill_contracts.jobs import JobFinished, JobLogLine, JobProgress, JobStarted
from affbill_contracts.sync import SyncSucceeded
from affbill_runtime import consuming, rejected
from affbill_runtime.runtime import Runtime

log = logging.getLogger("affbill.billing.messaging")

# Sent through the outbox relay; declared here so the AsyncAPI document lists them.
PUBLISHES = [
    (topics.BILLING_INVOICES, InvoiceIssued | InvoiceCancelled),
    (topics.JOBS_EVENTS, JobStarted | JobProgress | JobLogLine | JobFinished),
    (topics.BILLING_REQUESTS, IssueDrafts),  # bulk issue: the HTTP route starts the job
]
FACT_TOPICS = (topics.ADTRACKER_STATS, topics.ADTRACKER_ADVERTISERS, topics.ADTRACKER_AFFILIATES,
               topics.ADTRACKER_EMPLOYEES, topics.ADTRACKER_CONVERSIONS, topics.FX_RATES,
               topics.ADTRACKER_SYNCS)


def fact_handlers(settings: Any) -> list[tuple[str, type, Callable[..., Awaitable[int]]]]:
    partners = functools.partial(
        ingest.apply_partners, seller_country=settings.seller_country,
        credit_note_drafts_by_default=settings.credit_note_drafts_by_default)
    return [
        (topics.ADTRACKER_ADVERTISERS, AdvertiserSynced, partners),
        (topics.ADTRACKER_AFFILIATES, AffiliateSynced, partners),
        (topics.ADTRACKER_EMPLOYEES, EmployeeSynced, partners),
        (topics.ADTRACKER_CONVERSIONS, ConversionSynced, ingest.apply_conversions),
        (topics.FX_RATES, ExchangeRatesPublished, rates.apply_published),
        (topics.ADTRACKER_SYNCS, SyncSucceeded, ingest.apply_sync_outcomes),
    ]




def consumer_groups(group: str) -> dict[str, str]:
    """{consumer group: topic} of every subscriber: one group per topic, so a member joining
    for one topic never stalls another."""
    return {f"{group}.{topic}": topic for topic in FACT_TOPICS} | {
        f"{group}.requests": topics.BILLING_REQUESTS}


def build_router(runtime: Runtime) -> KafkaRouter:
    router = KafkaRouter()
    for topic, payload in PUBLISHES:
        router.publisher(topic, schema=Envelope[payload], title=f"{topic}:publish")
    groups = {t: g for g, t in consumer_groups(runtime.settings.group).items()}
    for topic, payload, apply in fact_handlers(runtime.settings):
        _subscribe(router, runtime, topic, groups[topic], payload, apply)
    _subscribe_stats(router, runtime, groups[topics.ADTRACKER_STATS])

    def decode_request(raw: bytes) -> Envelope[Any]:
        envelope = decode(raw)
        if not isinstance(envelope.payload, ProcessSelected | IssueDrafts):
            raise ValueError(f"type: {envelope.type} is not a billing command")
        return envelope

    async def requests(envelopes: list[Envelope[Any]]) -> None:
        for envelope in envelopes:
            await handle_request(runtime, envelope)

    # one command at a time: a run is long, and a failing one is retried on its own
    consuming.subscribe(
        router, runtime, topics.BILLING_REQUESTS, groups[topics.BILLING_REQUESTS],
        consuming.decoding(decode_request, requests, functools.partial(rejected.keep, runtime.uow)),
        max_records=1,
        description="Envelope[ProcessSelected] (batch runs) or Envelope[IssueDrafts] (bulk issue)")
    return router


FETCH = dict(max_partition_fetch_bytes=8 * 1024 * 1024, fetch_max_bytes=64 * 1024 * 1024)


def _subscribe_stats(router: KafkaRouter, runtime: Runtime, group: str) -> None:
    """adtracker.stats: millions of rows; exactly once by consumer position (see ingest),
    a dead-lettered row's offset included."""

    async def apply(records: list[Any], dead_letter: consuming.DeadLetter) -> None:
        await ingest.apply_stat_stream(runtime.uow, records, on_rejected=dead_letter)

    consuming.subscribe(router, runtime, topics.ADTRACKER_STATS, group, apply,
                        keep=functools.partial(ingest.keep_rejected_stats, runtime.uow),
                        max_records=10_000, description="Batches of Envelope[StatRowSynced]",
                        **FETCH)


async def handle_request(runtime: Runtime, envelope: Envelope[Any]) -> None:
    """A command on billing.requests is only recorded (committed at once) as a work item;
    the work-item worker of some billing process executes it (work_worker.py)."""
    if await work_items.record_command(runtime.uow, envelope):
        worker = getattr(runtime.state, "work_worker", None)
        if worker is not None:
            worker.wake()


def _subscribe(router: KafkaRouter, runtime: Runtime, topic: str, group: str, payload: type,
               apply: Callable[..., Awaitable[int]]) -> None:
    def decode_payload(raw: bytes) -> Envelope[Any]:
        envelope = decode_as(payload, raw)
        if not isinstance(envelope.payload, payload):
            raise ValueError(f"type: {envelope.type} is not a {payload.__name__}")
        return envelope

    async def effect(envelopes: list[Envelope[Any]]) -> None:
        await apply(runtime.uow(), envelopes)

    consuming.subscribe(router, runtime, topic, group,
                        consuming.decoding(decode_payload, effect,
                                           functools.partial(rejected.keep, runtime.uow)),
                        max_records=5000, description=f"Batches of Envelope[{payload.__name__}]",
                        **FETCH)

