"""The jobs service on a fresh schema and its own consumer group, and job events to send it."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from affbill_contracts import Envelope, encode, topics
from affbill_contracts.jobs import JobFinished, JobLogLine, JobProgress, JobQueued, JobStarted
from affbill_jobs.bootstrap import bootstrap
from affbill_jobs.config import Settings
from affbill_jobs.entrypoints import http as jobs_http
from affbill_jobs.service_layer.ingest import record_job_events
from affbill_runtime.messaging import ensure_topics, start_groups_at_end
from affbill_runtime.migrations import upgrade
from affbill_runtime.runtime import Runtime
from affbill_runtime.service import service_app
from tests.signing import SignedAsGateway

T0 = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


def at(second: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=second)


class Story:
    """Job events of one job as services produce them (seq per service, explicit times)."""

    def __init__(self, job_id: uuid.UUID | None = None) -> None:
        self.job_id = job_id or uuid.uuid4()

    def _wrap(self, payload: Any, second: float) -> Envelope[Any]:
        return Envelope.wrap(payload, job_id=self.job_id, occurred_at=at(second))

    def queued(self, second: float = 0, by: str = "anna", kind: str = "batch_run") -> Envelope[Any]:
        return self._wrap(JobQueued(service="gateway", seq=1, kind=kind, title="Process selected",
                                    requested_by=by), second)

    def started(self, second: float, seq: int, service: str = "billing", kind: str = "batch_run",
                by: str = "anna") -> Envelope[Any]:
        return self._wrap(JobStarted(service=service, seq=seq, kind=kind,
                                     title=f"{kind} of {service}", started_by=by), second)

    def progress(self, second: float, seq: int, done: int, total: int,
                 service: str = "billing", **counters: int) -> Envelope[Any]:
        return self._wrap(JobProgress(service=service, seq=seq, step="customers", done=done,
                                      total=total, counters=counters), second)

    def line(self, second: float, seq: int, text: str, service: str = "billing",
             level: str = "info") -> Envelope[Any]:
        return self._wrap(JobLogLine(service=service, seq=seq, level=level, text=text), second)

    def finished(self, second: float, seq: int, status: str = "succeeded",
                 service: str = "billing", reason: str | None = None, **counts: int
                 ) -> Envelope[Any]:
        return self._wrap(JobFinished(service=service, seq=seq, status=status, counts=counts,
                                      reason=reason), second)


@pytest.fixture
async def jobs_runtime(database_url: str, kafka_bootstrap: str) -> AsyncIterator[Runtime]:
    """Migrated, not started: tests that need the consumer start it (`consuming`)."""
    schema = f"jobs_{uuid.uuid4().hex[:8]}"
    await asyncio.to_thread(upgrade, "affbill_jobs", database_url, schema)
    runtime = bootstrap(Settings(service_name=schema, database_url=database_url,
                                 kafka_bootstrap_servers=kafka_bootstrap,
                                 consumer_group=f"test-{schema}", follow_poll_s=0.5))
    yield runtime
    await runtime.engine.dispose()


@pytest.fixture
async def consuming(jobs_runtime: Runtime, kafka_bootstrap: str) -> AsyncIterator[Runtime]:
    """The runtime consuming jobs.events from now on (earlier traffic skipped)."""
    await ensure_topics(kafka_bootstrap)
    for _ in range(40):  # a topic created a moment ago may not have its partitions known yet
        try:
            await start_groups_at_end(kafka_bootstrap,
                                      {jobs_runtime.settings.group: topics.JOBS_EVENTS})
            break
        except ValueError:
            await asyncio.sleep(0.25)
    await jobs_runtime.start()
    await asyncio.wait_for(jobs_runtime.state.listener.listening.wait(), 30)
    yield jobs_runtime
    await jobs_runtime.stop()


def api_of(runtime: Runtime) -> httpx.AsyncClient:
    """The jobs service's HTTP API in-process, called as the gateway calls it (signed)."""
    app = service_app(runtime, title="affbill jobs", http_routers=[jobs_http.build_router(runtime)])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://jobs",
                             auth=SignedAsGateway(runtime.settings.signing_key), timeout=60)


@pytest.fixture
async def api(jobs_runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    async with api_of(jobs_runtime) as client:
        yield client


@pytest.fixture
async def publish(kafka_bootstrap: str) -> AsyncIterator[Callable[..., Awaitable[None]]]:
    """Send envelopes (or raw bytes) to jobs.events keyed by job, as the outbox relays do."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
    await producer.start()

    async def send(*messages: Envelope[Any] | tuple[str, bytes]) -> None:
        for m in messages:
            key, value = m if isinstance(m, tuple) else (str(m.job_id), encode(m))
            await producer.send(topics.JOBS_EVENTS, value, key=key.encode())
        await producer.flush()

    yield send
    await producer.stop()


async def record(runtime: Runtime, *events: Envelope[Any]) -> None:
    """Apply events as the consumer does, without the broker."""
    await record_job_events(runtime.uow(), list(events), runtime.settings.channel)


async def eventually(probe: Callable[[], Awaitable[Any]], tries: int = 240) -> Any:
    """Poll until ``probe`` returns something truthy (the consumer runs concurrently)."""
    for _ in range(tries):
        if result := await probe():
            return result
        await asyncio.sleep(0.25)
    raise AssertionError("the job log never showed it")
