"""The parts every service runs on, created in bootstrap (never at import time)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from types import SimpleNamespace

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker

from affbill_runtime import metrics, tracing
from affbill_runtime.consumers import ConsumerBoard
from affbill_runtime.db import UnitOfWork, create_engine, session_factory
from affbill_runtime.messaging import (
    create_broker,
    create_producer,
    ensure_topics,
    require_topics,
)
from affbill_runtime.process import tune_garbage_collector
from affbill_runtime.relay import OutboxRelay
from affbill_runtime.settings import ServiceSettings

log = logging.getLogger("affbill.runtime")


class Runtime:
    """Engine, sessions, broker and outbox relay of one service process."""

    def __init__(self, settings: ServiceSettings, package: str) -> None:
        tune_garbage_collector(settings.gc_young_threshold)
        self.settings = settings
        tracing.configure(settings.service_name)  # once per process, from OTEL_* (off: no-op)
        self.package = package  # holds <package>/migrations
        self.schema = settings.db_schema
        self.engine = create_engine(settings.database_url, self.schema,
                                    pool_size=settings.db_pool_size, app=settings.service_name)
        self.sessions = session_factory(self.engine)
        self.broker: KafkaBroker = create_broker(settings.kafka_bootstrap_servers,
                                                 settings.service_name, settings.shutdown_grace_s,
                                                 settings.kafka_security)
        self.producer: AIOKafkaProducer | None = None
        self.relay: OutboxRelay | None = None
        self._relay_task: asyncio.Task[None] | None = None
        self._background: list[tuple[str, Callable[[], Awaitable[None]]]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self.consumers = ConsumerBoard()  # what each subscriber is doing (readiness, metrics)
        metrics.watch(settings.service_name, self.consumers)
        self.state = SimpleNamespace()  # service-specific parts, for entry points to find

    def add_background(self, name: str, work: Callable[[], Awaitable[None]]) -> None:
        """Long-running work of the service (a queue worker), started after the broker."""
        self._background.append((name, work))

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, on_commit=self._wake_relay)

    def _wake_relay(self) -> None:
        if self.relay:
            self.relay.wake()

    async def start(self) -> None:
        s = self.settings
        if s.kafka_create_topics:
            await ensure_topics(s.kafka_bootstrap_servers, layout=s.topic_layout,
                                security=s.kafka_security)
        else:
            await require_topics(s.kafka_bootstrap_servers, security=s.kafka_security)
        self.producer = create_producer(s.kafka_bootstrap_servers, s.service_name,
                                        s.kafka_security)
        await self.producer.start()
        self.relay = OutboxRelay(self.engine, self.producer, schema=self.schema,
                                 batch_size=s.outbox_batch_size,
                                 poll_interval_s=s.outbox_poll_interval_s,
                                 retention=timedelta(hours=s.outbox_retention_hours),
                                 inbox_retention=timedelta(days=s.inbox_retention_days))
        self._relay_task = asyncio.create_task(self.relay.run(), name="outbox-relay")
        await self.broker.start()
        self._tasks = [asyncio.create_task(work(), name=name) for name, work in self._background]
        log.info("service started", extra={"schema": self.schema})

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(Exception):
            await self.broker.stop()
        if self._relay_task:
            self._relay_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._relay_task
        if self.producer:
            with contextlib.suppress(Exception):
                await self.producer.stop()
        await self.engine.dispose()
        tracing.flush()
