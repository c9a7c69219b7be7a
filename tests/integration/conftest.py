"""Integration fixtures: the real simulator over HTTP, the real broker and PostgreSQL.

The sync worker runs in-process (no consumer group is joined); facts are read
back from Kafka with read_committed, job events from the sync's outbox.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import text

from affbill_contracts import Envelope, StartSync, decode, topics
from affbill_runtime.migrations import upgrade
from affbill_runtime.runtime import Runtime
from affbill_sync.adapters.connectors.base import ConnectorConfig
from affbill_sync.bootstrap import bootstrap
from affbill_sync.config import Settings
from affbill_sync.service_layer import handlers
from tests.events import decoded
from tests.processes import free_port

START = dt.date(2026, 9, 1)
SMALL = dict(seed=7, advertisers=4, offers_per_advertiser=2, affiliates=6, employees=3,
             days=10, rows_per_day=30, pending_share=0.3, currencies_per_advertiser=1,
             start_date=START.isoformat(), rate_limit=0)
WINDOW = (START, START + dt.timedelta(days=9))


@pytest.fixture(scope="session")
def simulator_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = (tmp_path_factory.mktemp("sim") / "simulator.log").open("wb")
    proc = subprocess.Popen([str(Path(sys.executable).with_name("affbill-simulator")), "serve",
                             "--port", str(port), "--rate-limit", "0"],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{url}/control/requests", timeout=1)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("simulator did not start") from None
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(10)


class Simulator:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.AsyncClient(base_url=url, timeout=30)

    async def reset(self, **scale: Any) -> None:
        (await self.http.post("/control/reset", json={**SMALL, **scale})).raise_for_status()

    async def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.http.request(method, f"/control{path}", **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    async def requests(self) -> list[dict[str, Any]]:
        return await self.control("GET", "/requests")


@pytest.fixture
async def sim(simulator_url: str) -> AsyncIterator[Simulator]:
    s = Simulator(simulator_url)
    await s.reset()
    await s.control("DELETE", "/faults")
    yield s
    await s.http.aclose()


@dataclass
class SyncWorld:
    runtime: Runtime
    settings: Settings
    kafka: str
    jobs: list[uuid.UUID] = field(default_factory=list)
    marks: dict[str, dict[TopicPartition, int]] = field(default_factory=dict)

    async def mark(self) -> None:
        """Remember where the topics end now: facts() reads only what comes after."""
        consumer = AIOKafkaConsumer(bootstrap_servers=self.kafka, isolation_level="read_committed")
        await consumer.start()
        try:
            for topic in FACT_TOPICS:
                parts = [TopicPartition(topic, p) for p in await _partitions(consumer, topic)]
                self.marks[topic] = await consumer.end_offsets(parts)
        finally:
            await consumer.stop()

    def connector(self, kind: str = "hasoffers") -> str:
        return self.settings.connectors[0 if kind == "hasoffers" else 1].id

    async def sync(self, scope: str = "standard", kind: str = "hasoffers",
                   window: tuple[dt.date, dt.date] = WINDOW, republish: bool = False
                   ) -> dict[str, Any]:
        job_id = uuid.uuid4()
        await self.mark()
        request = StartSync(connector=self.connector(kind), scope=scope, date_from=window[0],
                            date_to=window[1], requested_by="test", republish=republish)
        await handlers.request_sync(self.runtime.uow(), Envelope.wrap(request, job_id=job_id),
                                    self.settings)
        assert await self.runtime.state.worker.run_next()
        self.jobs.append(job_id)
        return await self.run(job_id)

    async def run(self, job_id: uuid.UUID) -> dict[str, Any]:
        async with self.runtime.engine.connect() as conn:
            row = (await conn.execute(text("select * from sync_runs where job_id = :j"),
                                      {"j": job_id})).mappings().one()
        return dict(row)

    async def run_or_none(self, job_id: uuid.UUID) -> dict[str, Any] | None:
        async with self.runtime.engine.connect() as conn:
            row = (await conn.execute(text("select * from sync_runs where job_id = :j"),
                                      {"j": job_id})).mappings().first()
        return dict(row) if row else None

    async def queued(self) -> int:
        async with self.runtime.engine.connect() as conn:
            return int(await conn.scalar(text(
                "select count(*) from sync_runs where status = 'queued'")) or 0)

    async def job_events(self, job_id: uuid.UUID) -> list[Envelope[Any]]:
        async with self.runtime.engine.connect() as conn:
            values = (await conn.execute(text(
                "select value from outbox where topic = :t order by id"),
                {"t": topics.JOBS_EVENTS})).scalars().all()
        return [e for e in map(decode, values) if e.job_id == job_id]

    async def log_lines(self, job_id: uuid.UUID) -> list[str]:
        return [e.payload.text for e in await self.job_events(job_id)
                if e.type == "jobs.job.log"]

    async def quarantined(self, job_id: uuid.UUID) -> list[dict[str, Any]]:
        async with self.runtime.engine.connect() as conn:
            return [dict(r) for r in (await conn.execute(text(
                "select * from quarantine where job_id = :j"), {"j": job_id})).mappings()]

    async def facts(self, topic: str, job_id: uuid.UUID) -> list[Envelope[Any]]:
        """Committed facts of one job on a topic (read_committed, from the beginning)."""
        consumer = AIOKafkaConsumer(bootstrap_servers=self.kafka, enable_auto_commit=False,
                                    isolation_level="read_committed")
        await consumer.start()
        try:
            parts = [TopicPartition(topic, p) for p in await _partitions(consumer, topic)]
            consumer.assign(parts)
            start = self.marks.get(topic, {})
            for p in parts:
                consumer.seek(p, start.get(p, 0))
            ends = await consumer.end_offsets(parts)
            out: list[Envelope[Any]] = []
            while True:
                behind = [p for p in parts if await consumer.position(p) < ends[p]]
                if not behind:
                    break
                batch = await consumer.getmany(*behind, timeout_ms=1000)
                out += [e for rs in batch.values() for e in decoded(rs) if e.job_id == job_id]
            return out
        finally:
            await consumer.stop()


FACT_TOPICS = (topics.ADTRACKER_EMPLOYEES, topics.ADTRACKER_ADVERTISERS,
               topics.ADTRACKER_AFFILIATES, topics.ADTRACKER_STATS, topics.ADTRACKER_CONVERSIONS)


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    known = consumer.partitions_for_topic(topic)
    if not known:
        await consumer._client.force_metadata_update()
        known = consumer.partitions_for_topic(topic)
    return known or set()


@pytest.fixture
async def world(database_url: str, kafka_bootstrap: str,
                sim: Simulator) -> AsyncIterator[SyncWorld]:
    schema = f"sync_{uuid.uuid4().hex[:8]}"
    tag = uuid.uuid4().hex[:6]
    await asyncio.to_thread(upgrade, "affbill_sync", database_url, schema)
    settings = Settings(
        service_name=schema, database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap,
        connectors=[
            ConnectorConfig(id=f"ho-{tag}", kind="hasoffers", base_url=sim.url, token="sim-token",
                            timezone="Europe/Berlin", page_size=100, timeout_s=2, max_attempts=4),
            ConnectorConfig(id=f"ef-{tag}", kind="everflow", base_url=sim.url, token="sim-key",
                            timezone="Europe/Berlin", timeout_s=2, max_attempts=4),
        ])
    runtime = bootstrap(settings)
    from affbill_runtime.messaging import ensure_topics
    await ensure_topics(kafka_bootstrap)
    yield SyncWorld(runtime, settings, kafka_bootstrap)
    await runtime.engine.dispose()


