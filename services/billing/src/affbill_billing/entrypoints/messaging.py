"""Kafka entry points of the billing service: adtracker facts in, invoices out.

Fact subscribers take batches of raw messages (millions of stat rows pass
here), read committed only (the sync publishes in transactions), and decode
each with the contract; a message that is not valid is kept as rejected.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaRouter

from affbill_billing.service_layer import ingest, work_items
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
)
from affbill_contracts.codec import decode, decode_as
from affbill_contracts.envelope import Envelope
from affbill_contracts.jobs import JobFinished, JobLogLine, JobProgress, JobStarted
from affbill_runtime.messaging import raw_body, raw_records
from affbill_runtime.runtime import Runtime

log = logging.getLogger("affbill.billing.messaging")

# Sent through the outbox relay; declared here so the AsyncAPI document lists them.
PUBLISHES = [
    (topics.BILLING_INVOICES, InvoiceIssued | InvoiceCancelled),
    (topics.JOBS_EVENTS, JobStarted | JobProgress | JobLogLine | JobFinished),
    (topics.BILLING_REQUESTS, IssueDrafts),  # bulk issue: the HTTP route starts the job
]
FACT_TOPICS = (topics.ADTRACKER_STATS, topics.ADTRACKER_ADVERTISERS, topics.ADTRACKER_AFFILIATES,
               topics.ADTRACKER_EMPLOYEES, topics.ADTRACKER_CONVERSIONS)


def fact_handlers(settings: Any) -> list[tuple[str, type, Callable[..., Awaitable[int]]]]:
    partners = functools.partial(ingest.apply_partners, seller_country=settings.seller_country)
    return [
        (topics.ADTRACKER_ADVERTISERS, AdvertiserSynced, partners),
        (topics.ADTRACKER_AFFILIATES, AffiliateSynced, partners),
        (topics.ADTRACKER_EMPLOYEES, EmployeeSynced, partners),
        (topics.ADTRACKER_CONVERSIONS, ConversionSynced, ingest.apply_conversions),
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

    @router.subscriber(topics.BILLING_REQUESTS, group_id=groups[topics.BILLING_REQUESTS],
                       auto_offset_reset="earliest", ack_policy=AckPolicy.NACK_ON_ERROR,
                       decoder=raw_body, title=f"{topics.BILLING_REQUESTS}:subscribe",
                       description="Envelope[ProcessSelected] (batch runs) or "
                                   "Envelope[IssueDrafts] (bulk issue)")
    async def on_billing_request(raw: bytes) -> None:
        try:
            envelope = decode(raw)
        except (ValueError, KeyError) as exc:  # not a command we know: keep it, go on
            log.error("rejected message", extra={"topic": topics.BILLING_REQUESTS,
                                                 "reason": str(exc)[:500]})
            await ingest.reject(runtime.uow(), topics.BILLING_REQUESTS, raw, str(exc))
            return
        await handle_request(runtime, envelope)

    return router


BATCH = dict(batch=True, batch_timeout_ms=200, auto_offset_reset="earliest",
             max_partition_fetch_bytes=8 * 1024 * 1024, fetch_max_bytes=64 * 1024 * 1024,
             isolation_level="read_committed", ack_policy=AckPolicy.NACK_ON_ERROR)


def _subscribe_stats(router: KafkaRouter, runtime: Runtime, group: str) -> None:
    """adtracker.stats: millions of rows; exactly once by consumer position (see ingest)."""
    topic = topics.ADTRACKER_STATS

    @router.subscriber(topic, group_id=group, max_records=10_000, decoder=raw_records,
                       title=f"{topic}:subscribe",
                       description="Batches of Envelope[StatRowSynced]", **BATCH)
    async def on_stats(messages: Any) -> None:
        await ingest.apply_stat_stream(runtime.uow, messages)


async def handle_request(runtime: Runtime, envelope: Envelope[Any]) -> None:
    """A command on billing.requests is only recorded (committed at once) as a work item;
    the work-item worker of some billing process executes it (work_worker.py)."""
    if await work_items.record_command(runtime.uow, envelope):
        worker = getattr(runtime.state, "work_worker", None)
        if worker is not None:
            worker.wake()


def _subscribe(router: KafkaRouter, runtime: Runtime, topic: str, group: str, payload: type,
               apply: Callable[..., Awaitable[int]]) -> None:
    @router.subscriber(topic, group_id=group, max_records=5000, decoder=raw_body,
                       title=f"{topic}:subscribe",
                       description=f"Batches of Envelope[{payload.__name__}]", **BATCH)
    async def on_facts(messages: list[bytes]) -> None:
        envelopes: list[Any] = []
        for raw in messages:
            try:
                envelopes.append(decode_as(payload, raw))
            except ValueError as exc:  # pydantic's ValidationError is a ValueError
                log.error("rejected message", extra={"topic": topic, "reason": str(exc)[:500]})
                await ingest.reject(runtime.uow(), topic, raw, str(exc))
        if envelopes:
            await apply(runtime.uow(), envelopes)
