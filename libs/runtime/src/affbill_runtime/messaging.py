"""Kafka plumbing: the broker for subscribers, the producer for the relay, topics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import REGISTRY

from affbill_contracts.codec import clean
from affbill_contracts.envelope import EVENT_TYPES, Envelope
from affbill_contracts.topics import TOPICS, TopicSpec
from affbill_runtime.inbox import claim
from affbill_runtime.kafka_security import KafkaSecurity, client_options
from affbill_runtime.topic_layout import TopicLayout

log = logging.getLogger("affbill.messaging")


async def consumer_decoder(msg: Any, original: Callable[[Any], Awaitable[Any]]) -> Any:
    """Decode JSON as usual; envelopes are upcast and stripped of unknown fields.

    The subscriber's annotation then validates strictly-shaped, current-version
    data, which is what "consumers ignore unknown fields" means for FastStream.
    """
    data = await original(msg)
    if isinstance(data, dict) and data.get("type") in EVENT_TYPES and "payload" in data:
        return clean(data)
    return data


async def raw_records(msg: Any, _: Any) -> Any:
    """Batch decoder: the Kafka records as they came, bytes with topic, partition and offset."""
    return list(msg.raw_message)


def create_broker(bootstrap_servers: str, client_id: str, grace_s: float = 8.0,
                  security: KafkaSecurity | None = None) -> KafkaBroker:
    """The service's consumers; on stop a handler in flight gets ``grace_s`` to finish.
    FastStream's Prometheus middleware counts each subscriber's messages (metrics.py)."""
    return KafkaBroker(bootstrap_servers, client_id=client_id, decoder=consumer_decoder,
                       security=security.faststream() if security else None,
                       logger=logging.getLogger(f"affbill.{client_id}.broker"),
                       graceful_timeout=grace_s, middlewares=[KafkaPrometheusMiddleware(
                           registry=REGISTRY, app_name=client_id, metrics_prefix="affbill")])


def create_producer(bootstrap_servers: str, client_id: str,
                    security: KafkaSecurity | None = None) -> AIOKafkaProducer:
    """Idempotent, acks=all producer: a retried send never duplicates or reorders."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        **client_options(security),
        client_id=f"{client_id}-outbox",
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        max_batch_size=512 * 1024,
        max_request_size=10 * 1024 * 1024,
    )


class MissingTopics(RuntimeError):
    """Topic creation is off (an operator manages the topics) and some are not there."""

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__(
            f"{len(names)} topic(s) missing and topic creation is off "
            f"(AFFBILL_KAFKA_CREATE_TOPICS=false): {', '.join(names)}; create them "
            "(deploy/k8s/strimzi/topics.yaml lists them) or let the service create them")
        self.names = list(names)


async def ensure_topics(bootstrap_servers: str, specs: Sequence[TopicSpec] = TOPICS,
                        layout: TopicLayout = TopicLayout(),
                        security: KafkaSecurity | None = None) -> list[str]:
    """Create missing topics with their partitions and ``layout``; returns those created.

    All missing topics go in one request, and the call returns once the broker lists them
    (a slow controller may answer "timed out" for a topic it creates a moment later)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="affbill-admin",
                                **client_options(security))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        for attempt in range(10):
            todo = [s for s in missing if s.name not in existing]
            if not todo:
                break
            if attempt % 3 == 0:  # ask again now and then; "already exists" is fine
                with contextlib.suppress(TopicAlreadyExistsError):
                    await admin.create_topics([NewTopic(
                        s.name, s.partitions, layout.replication_factor,
                        topic_configs=layout.config(s)) for s in todo], timeout_ms=30_000)
            else:
                await asyncio.sleep(0.5 * attempt)
            existing = set(await admin.list_topics())
        return [s.name for s in missing if s.name in existing]
    finally:
        await admin.close()


async def require_topics(bootstrap_servers: str, specs: Sequence[TopicSpec] = TOPICS,
                         security: KafkaSecurity | None = None) -> None:
    """Raise MissingTopics unless every topic of ``specs`` exists (creation is off); a
    topic the principal may not describe counts as missing."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="affbill-admin",
                                **client_options(security))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
    finally:
        await admin.close()
    if missing := [s.name for s in specs if s.name not in existing]:
        raise MissingTopics(missing)


async def start_groups_at_end(bootstrap_servers: str, groups: dict[str, str],
                              security: KafkaSecurity | None = None) -> None:
    """Commit each topic's current end for its consumer group ({group id: topic}).

    A group that starts this way skips the topic's history: for a consumer added to
    a running system, and for tests and benches that must not read earlier traffic. A
    topic that does not exist yet has no history to skip: nothing is committed for it.
    """
    for group, topic in groups.items():
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=group,
                                    enable_auto_commit=False, **client_options(security))
        await consumer.start()
        try:
            await consumer._client.force_metadata_update()
            parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
            if not parts:
                continue
            consumer.assign(parts)
            await consumer.commit(await consumer.end_offsets(parts))
        finally:
            await consumer.stop()


async def apply_once(uow: Any, consumer: str, envelopes: Iterable[Envelope[Any]],
                     effect: Callable[[Any, list[Envelope[Any]]], Awaitable[None]]) -> int:
    """Apply ``effect`` to the envelopes this consumer has not processed yet.

    Claim and effect share one transaction (the caller's unit of work, committed
    here), so an event's effect happens exactly once however often it arrives.
    Returns how many envelopes were new.
    """
    batch: list[Envelope[Any]] = []
    seen: set[Any] = set()
    for envelope in envelopes:  # a batch may carry the same event twice: keep the first
        if envelope.event_id not in seen:
            seen.add(envelope.event_id)
            batch.append(envelope)
    async with uow:
        fresh_ids = await claim(uow.session, consumer, (e.event_id for e in batch))
        fresh = [e for e in batch if e.event_id in fresh_ids]
        if fresh:
            await effect(uow, fresh)
        await uow.commit()
    return len(fresh)
