"""PostgreSQL goes away under a running service: readiness turns false, the process stays
up (no crash loop), its consumer waits instead of dropping or dead-lettering what comes in,
and once the database is back the service is ready again and applies what waited."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer

from affbill_contracts import Envelope, JobStarted, encode, topics
from affbill_runtime.messaging import start_groups_at_end
from tests.private_infra import PrivatePostgres
from tests.processes import free_port, start_service, wait_ready

pytestmark = pytest.mark.integration


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    # a folder the postgres user can reach (pytest's are private to root)
    root = Path(tempfile.mkdtemp(prefix="affbill-outage-"))
    root.chmod(0o755)
    pg = PrivatePostgres(root)
    try:
        pg.create()
        pg.start()
        yield pg
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            pg.stop()
        shutil.rmtree(root, ignore_errors=True)


async def ready(port: int) -> httpx.Response:
    async with httpx.AsyncClient(timeout=5) as client:
        return await client.get(f"http://127.0.0.1:{port}/health/ready")


async def job_known(url: str, job_id: uuid.UUID) -> bool:
    conn = await asyncpg.connect(url)
    try:
        return bool(await conn.fetchval("select count(*) from jobs.jobs where job_id = $1",
                                        job_id))
    finally:
        await conn.close()


async def test_a_database_outage_makes_the_service_unready_not_dead(
        postgres: PrivatePostgres, kafka_bootstrap: str, tmp_path: Path) -> None:
    group = f"outage-{uuid.uuid4().hex[:6]}"
    await start_groups_at_end(kafka_bootstrap, {group: topics.JOBS_EVENTS})
    port = free_port()
    env = {"DATABASE_URL": postgres.url, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "AFFBILL_JOBS_CONSUMER_GROUP": group}
    proc = start_service("affbill-jobs", port, env, tmp_path / "jobs.log")
    try:
        await asyncio.to_thread(wait_ready, f"http://127.0.0.1:{port}/health/ready", proc, 300)
        await asyncio.to_thread(postgres.stop)
        for _ in range(60):
            answer = await ready(port)
            if answer.status_code == 503:
                break
            await asyncio.sleep(0.5)
        assert answer.status_code == 503
        assert answer.json()["checks"]["database"].startswith("unreachable")

        job_id = uuid.uuid4()  # arrives while the database is away: it must wait, not go
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait(topics.JOBS_EVENTS, encode(Envelope.wrap(JobStarted(
                service="sync", seq=1, kind="partial_sync", title="during the outage",
                started_by="test"), job_id=job_id)),
                key=str(job_id).encode())
        finally:
            await producer.stop()
        await asyncio.sleep(8)  # long enough for retries to have given up, were they bounded
        assert proc.poll() is None, "the service ended while its database was away"

        await asyncio.to_thread(postgres.start)
        for _ in range(120):
            if (await ready(port)).status_code == 200 and await job_known(postgres.url, job_id):
                break
            await asyncio.sleep(0.5)
        assert (await ready(port)).status_code == 200
        assert await job_known(postgres.url, job_id), "the event that waited was not applied"
        log = (tmp_path / "jobs.log").read_text()
        assert "dead-lettered" not in log
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(proc.wait, 30)
        except subprocess.TimeoutExpired:
            proc.kill()
