"""Every service starts as a real process: migrations, /health/live, /health/ready.

Then a command crosses the stack: a sync request goes to sync.requests, the sync
service handles it once and reports the job on jobs.events through its outbox.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from affbill_billing.entrypoints.messaging import consumer_groups as billing_groups
from affbill_contracts import (
    Envelope,
    JobFinished,
    JobLogLine,
    JobStarted,
    StartSync,
    encode,
    topics,
)
from affbill_documents.entrypoints.messaging import consumer_groups as documents_groups
from affbill_runtime.messaging import start_groups_at_end
from tests.events import INTERNAL_SECRET, decoded
from tests.processes import free_port, start_service, wait_ready

pytestmark = pytest.mark.e2e
SERVICES = ("gateway", "sync", "billing", "documents", "jobs")


@pytest.fixture(scope="module")
def stack(database_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[dict[str, int]]:
    logs = tmp_path_factory.mktemp("logs")
    env = {**os.environ, "DATABASE_URL": database_url, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "AFFBILL_INTERNAL_SECRET": INTERNAL_SECRET}
    # own consumer groups: a demo running beside the tests is not disturbed
    run = uuid.uuid4().hex[:6]
    env.update({f"AFFBILL_{s.upper()}_CONSUMER_GROUP": f"e2e-{run}-{s}" for s in SERVICES})
    # the sync reads only the commands sent from now on, not the broker's history of them
    # and billing and documents skip the session's earlier invoices: rendering them all here
    # would only load the machine and slow the services' stop
    asyncio.run(start_groups_at_end(kafka_bootstrap, {
        f"e2e-{run}-sync": topics.SYNC_REQUESTS, **billing_groups(f"e2e-{run}-billing"),
        **documents_groups(f"e2e-{run}-documents")}))
    ports = {s: free_port() for s in SERVICES}
    procs = {}
    for service, port in ports.items():
        procs[service] = start_service(f"affbill-{service}", port, env,
                                       logs / f"{service}.log")
    try:
        for service, port in ports.items():
            wait_ready(f"http://127.0.0.1:{port}/health/ready", procs[service], timeout=90)
        yield ports
    finally:
        for proc in procs.values():
            proc.terminate()
        for service, proc in procs.items():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
            assert proc.returncode in (0, -15), (
                f"{service} ended with {proc.returncode}:\n"
                + (logs / f"{service}.log").read_text()[-3000:])


@pytest.mark.parametrize("service", SERVICES)
def test_service_is_live_and_ready(stack: dict[str, int], service: str) -> None:
    base = f"http://127.0.0.1:{stack[service]}"
    assert httpx.get(f"{base}/health/live").json() == {"status": "live", "service": service}
    ready = httpx.get(f"{base}/health/ready").json()
    assert ready["status"] == "ready"
    assert ready["checks"] == {"database": "ok", "migrations": "ok", "kafka": "ok",
                               "consumers": "ok"}


CONSUMING = {"sync", "billing", "documents", "jobs"}


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_serves_prometheus_metrics_without_a_key(
        stack: dict[str, int], service: str) -> None:
    base = f"http://127.0.0.1:{stack[service]}"
    httpx.get(f"{base}/health/live")  # one request to measure
    response = httpx.get(f"{base}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (f'affbill_http_request_duration_seconds_count{{method="GET",'
            f'route="/health/live",service="{service}",status="200"}}') in text
    assert f'affbill_outbox_backlog{{service="{service}"}}' in text
    assert "process_cpu_seconds_total" in text
    if service in CONSUMING:  # its consumers (lag per partition once a fetch told the end)
        assert f'affbill_consumer_messages_applied_total{{service="{service}",' in text
        assert f'affbill_consumer_retrying{{service="{service}",' in text


def test_ready_is_false_until_migrations_ran(database_url: str, kafka_bootstrap: str) -> None:
    schema = f"unmigrated_{uuid.uuid4().hex[:6]}"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "AFFBILL_JOBS_MIGRATE_ON_START": "false", "AFFBILL_JOBS_SERVICE_NAME": schema}
    proc = subprocess.Popen([str(Path(sys.executable).with_name("affbill-jobs")), "serve",
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/health"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/live", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        response = httpx.get(f"{url}/ready", timeout=5)
        assert response.status_code == 503
        assert response.json()["checks"]["migrations"].startswith("at None")
    finally:
        proc.terminate()
        proc.wait(20)


async def test_sync_request_is_handled_once_and_reported_as_a_job(
        stack: dict[str, int], kafka_bootstrap: str) -> None:
    job_id = uuid.uuid4()
    request = Envelope.wrap(StartSync(connector="not-configured", scope="standard",
                                      requested_by="e2e"), job_id=job_id)
    consumer = AIOKafkaConsumer(topics.JOBS_EVENTS, bootstrap_servers=kafka_bootstrap,
                                auto_offset_reset="latest")
    await consumer.start()
    await consumer.seek_to_end()
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        for _ in range(2):  # the same command delivered twice
            await producer.send_and_wait(topics.SYNC_REQUESTS, encode(request), key=b"x",
                                         headers=[("content-type", b"application/json")])
        events = []
        async with asyncio.timeout(60):
            while not any(isinstance(e.payload, JobFinished) for e in events):
                batch = await consumer.getmany(timeout_ms=500)
                events += [e for rs in batch.values() for e in decoded(rs) if e.job_id == job_id]
        await asyncio.sleep(2)  # a second handling would show up by now
        batch = await consumer.getmany(timeout_ms=500)
        events += [e for rs in batch.values() for e in decoded(rs) if e.job_id == job_id]
    finally:
        await producer.stop()
        await consumer.stop()
    kinds = [type(e.payload) for e in events]
    assert kinds[0] is JobStarted and kinds[-1] is JobFinished
    assert kinds.count(JobStarted) == 1 and kinds.count(JobFinished) == 1  # handled once
    reason = "No adtracker connector named 'not-configured' is configured"
    assert reason in [e.payload.text for e in events if isinstance(e.payload, JobLogLine)]
    assert events[-1].payload.status == "failed" and events[-1].payload.reason == reason
