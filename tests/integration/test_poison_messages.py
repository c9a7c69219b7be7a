"""No message stops a consumer (issue 13, "Done when"), on the real broker and database.

Every poison kind is published on every topic a service consumes, each followed (same
key, so the same partition) by a good message. Each poison lands in ``<topic>.dlq`` and
in the consuming service's ``rejected_messages`` with its reason; every good message is
applied; readiness reports the consumers stuck while they retry the message whose apply
raises, and ready again afterwards. A short retry setting keeps it quick.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from fastapi import FastAPI
from sqlalchemy import text

from affbill_contracts import (
    AdvertiserSynced,
    AffiliateSynced,
    ConversionSynced,
    EmployeeSynced,
    Envelope,
    InvoiceIssued,
    JobLogLine,
    ProcessSelected,
    StartSync,
    StatRowSynced,
    encode,
    topics,
)
from affbill_contracts.signing import sign
from affbill_documents.adapters.pool import RenderPool
from affbill_runtime.health import health_router
from affbill_runtime.messaging import ensure_topics, start_groups_at_end
from affbill_runtime.migrations import upgrade
from affbill_runtime.runtime import Runtime
from tests.events import INTERNAL_SECRET
from tests.unit.documents.samples import invoice

pytestmark = pytest.mark.integration
FAILS = "apply-fails"  # a value the test's triggers refuse: a valid message whose apply raises
RETRY = dict(consumer_retry_attempts=3, consumer_retry_backoff_s=1.0,
             consumer_retry_backoff_max_s=2.0, consumer_log_interval_s=5.0)


@dataclass
class Topic:
    """A consumed topic: its service, a valid message, where a good one shows, and which
    text field a NUL goes into."""

    name: str
    service: str
    message: Callable[[str], Envelope[Any]]  # marker → a valid message carrying it
    applied: Callable[[Envelope[Any]], str]  # SQL that counts the good message's effect
    nul_field: str
    numbers: list[tuple[str, str, Any]] = field(default_factory=list)  # (kind, field, value)


def _stat(c: str) -> Callable[[str], Envelope[Any]]:
    def message(marker: str) -> Envelope[Any]:
        offer = FAILS if marker == FAILS else "20"
        return Envelope.wrap(StatRowSynced(
            connector=c, stat_key=f"{c}|2026-10-01|7|{offer}|9|EUR", date=dt.date(2026, 10, 1),
            advertiser_id="7", offer_id=offer, offer_name="Shop", affiliate_id="9",
            currency="EUR", conversions=2, revenue=Decimal("10.5"), payout=Decimal(0)))
    return message


def _id(marker: str, usual: str) -> str:
    return f"{usual}-fails" if marker == FAILS else usual


def topics_of(c: str) -> list[Topic]:
    now = dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC)
    return [
        Topic(topics.ADTRACKER_STATS, "billing", _stat(c),
              lambda e: f"select count(*) from stat_rows where stat_key = '{e.payload.stat_key}'",
              "offer_name", [("revenue 1e30", "revenue", "1e30"),
                             ("conversions 2**40", "conversions", 2**40)]),
        # the marked message has its own key: a later fact of the same key would supersede it
        Topic(topics.ADTRACKER_ADVERTISERS, "billing", lambda m: Envelope.wrap(AdvertiserSynced(
            connector=c, advertiser_id=_id(m, "7"), company=m, status="active")),
            lambda e: f"select count(*) from customers where customer_id = '{c}:advertiser:7'",
            "company"),
        Topic(topics.ADTRACKER_AFFILIATES, "billing", lambda m: Envelope.wrap(AffiliateSynced(
            connector=c, affiliate_id=_id(m, "9"), company=m, status="active")),
            lambda e: f"select count(*) from customers where customer_id = '{c}:affiliate:9'",
            "company"),
        Topic(topics.ADTRACKER_EMPLOYEES, "billing", lambda m: Envelope.wrap(EmployeeSynced(
            connector=c, employee_id=_id(m, "3"), first_name=m, status="active")),
            lambda e: f"select count(*) from employees where connector = '{c}'", "first_name"),
        Topic(topics.ADTRACKER_CONVERSIONS, "billing", lambda m: Envelope.wrap(ConversionSynced(
            connector=c, conversion_id=m, advertiser_id="7", offer_id="20", affiliate_id="9",
            status="pending", currency="EUR", revenue=Decimal(1), payout=Decimal(1),
            converted_at=now)),
            lambda e: f"select count(*) from conversions where connector = '{c}'",
            "conversion_id", [("revenue 1e30", "revenue", "1e30")]),
        Topic(topics.BILLING_REQUESTS, "billing", lambda m: Envelope.wrap(ProcessSelected(
            run_id=uuid.uuid4(), customer_ids=[f"{c}:advertiser:7"], requested_by=m)),
            # the consumer only records the command as a work item (a worker runs it)
            lambda e: f"select count(*) from work_items where subject = '{e.payload.run_id}'",
            "requested_by"),
        Topic(topics.BILLING_INVOICES, "documents", lambda m: sign(Envelope.wrap(InvoiceIssued(
            document=invoice(1, number=f"P-{uuid.uuid4().hex[:8]}", customer_id=m),
            issued_by="anna")), INTERNAL_SECRET),  # documents renders only what billing signed
            lambda e: "select count(*) from documents "
                      f"where invoice_id = '{e.payload.document.invoice_id}'", "issued_by"),
        Topic(topics.JOBS_EVENTS, "jobs", lambda m: Envelope.wrap(JobLogLine(
            service="billing", seq=1, level="info", text=m), job_id=uuid.uuid4()),
            lambda e: f"select count(*) from jobs where job_id = '{e.job_id}'", "text",
            [("seq 2**63", "seq", 2**63)]),
        Topic(topics.SYNC_REQUESTS, "sync", lambda m: Envelope.wrap(StartSync(
            connector="poison-unknown", scope="partial", requested_by=m), job_id=uuid.uuid4()),
            lambda e: f"select count(*) from sync_runs where job_id = '{e.job_id}'",
            "requested_by"),
    ]


# the triggers that make the marked message's apply raise, per service: (table, condition)
TRIGGERS = {
    "billing": [("stat_rows", f"new.offer_id = '{FAILS}'"),
                ("customers", f"new.name = '{FAILS}'"),
                ("employees", f"new.name like '{FAILS}%'"),
                ("conversions", f"new.conversion_id = '{FAILS}'"),
                ("work_items", f"position(convert_to('{FAILS}', 'UTF8') in new.command) > 0")],
    "documents": [("documents", f"new.customer_id = '{FAILS}'")],
    "jobs": [("job_lines", f"new.text = '{FAILS}'")],
    "sync": [("sync_runs", f"new.requested_by = '{FAILS}'")],
}


def poisons(t: Topic, c: str) -> list[tuple[str, bytes]]:
    """(kind, bytes) of every poison kind for this topic."""
    valid = json.loads(encode(t.message("ok")))

    def changed(**envelope: Any) -> bytes:
        return json.dumps({**valid, **envelope}).encode()

    def payload(**fields: Any) -> bytes:
        return changed(payload={**valid["payload"], **fields})

    stat = json.loads(encode(_stat(c)("ok")))
    numbers = [(kind, payload(**{name: value})) for kind, name, value in t.numbers]
    own = {kind for kind, _, _ in t.numbers}
    if "revenue 1e30" not in own:  # a topic without amounts gets it as a stat row
        numbers.append(("revenue 1e30", json.dumps(
            {**stat, "payload": {**stat["payload"], "revenue": "1e30"}}).encode()))
    if "conversions 2**40" not in own:
        numbers.append(("conversions 2**40", json.dumps(
            {**stat, "payload": {**stat["payload"], "conversions": 2**40}}).encode()))
    if "seq 2**63" not in own:
        line = json.loads(encode(Envelope.wrap(JobLogLine(service="b", seq=1, level="info",
                                                          text="x"), job_id=uuid.uuid4())))
        numbers.append(("seq 2**63", json.dumps(
            {**line, "payload": {**line["payload"], "seq": 2**63}}).encode()))
    return [("type []", changed(type=[])), ("schema_version null", changed(schema_version=None)),
            ("a JSON array", json.dumps([valid]).encode()), *numbers,
            ("NUL in text", payload(**{t.nul_field: "a\x00b"})),
            ("plain bytes", b"plain, not JSON \x00\xff"),
            ("apply raises", encode(t.message(FAILS)))]


async def _runtime(service: str, database_url: str, kafka: str, **extra: Any) -> Runtime:
    package = f"affbill_{service}"
    module = __import__(f"{package}.bootstrap", fromlist=["bootstrap"])
    config = __import__(f"{package}.config", fromlist=["Settings"])
    schema = f"{service}_p{uuid.uuid4().hex[:6]}"
    await asyncio.to_thread(upgrade, package, database_url, schema)
    settings = config.Settings(service_name=schema, database_url=database_url,
                               kafka_bootstrap_servers=kafka, consumer_group=f"test-{schema}",
                               internal_secret=INTERNAL_SECRET, **RETRY)
    runtime = module.bootstrap(settings, **extra)
    async with runtime.engine.begin() as conn:
        await conn.execute(text("create function poison_apply_fails() returns trigger "
                                "language plpgsql as $$ begin raise exception "
                                f"'{FAILS}: the test makes this apply raise'; end $$"))
        for table, condition in TRIGGERS[service]:
            await conn.execute(text(f"create trigger poison before insert or update on {table} "
                                    f"for each row when ({condition}) "
                                    "execute function poison_apply_fails()"))
    return runtime


def _groups(service: str, runtime: Runtime) -> dict[str, str]:
    if service == "billing":
        from affbill_billing.entrypoints.messaging import consumer_groups
        return consumer_groups(runtime.settings.group)
    if service == "documents":
        from affbill_documents.entrypoints.messaging import consumer_groups as documents_groups
        return documents_groups(runtime.settings.group)
    topic = topics.JOBS_EVENTS if service == "jobs" else topics.SYNC_REQUESTS
    return {runtime.settings.group: topic}


@pytest.fixture
async def services(database_url: str, kafka_bootstrap: str) -> AsyncIterator[dict[str, Runtime]]:
    await ensure_topics(kafka_bootstrap)
    pool = RenderPool(workers=1)
    await pool.start()
    runtimes = {
        "billing": await _runtime("billing", database_url, kafka_bootstrap),
        "documents": await _runtime("documents", database_url, kafka_bootstrap, renderer=pool),
        "jobs": await _runtime("jobs", database_url, kafka_bootstrap),
        "sync": await _runtime("sync", database_url, kafka_bootstrap),
    }
    for service, runtime in runtimes.items():
        await start_groups_at_end(kafka_bootstrap, _groups(service, runtime))
        await runtime.start()
    try:
        yield runtimes
    finally:
        for runtime in runtimes.values():
            await runtime.stop()
        await asyncio.to_thread(pool.close)


async def _watch_readiness(runtimes: dict[str, Runtime], seen: dict[str, list[str]]) -> None:
    """Poll every service's /health/ready; keep what the consumers check said when not ok."""
    clients = {}
    for service, runtime in runtimes.items():
        app = FastAPI()
        app.include_router(health_router(runtime))
        clients[service] = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                             base_url="http://svc")
    try:
        while True:
            for service, client in clients.items():
                answer = await client.get("/health/ready")
                consumers = answer.json()["checks"]["consumers"]
                if consumers != "ok":
                    assert answer.status_code == 503
                    seen[service].append(consumers)
            await asyncio.sleep(0.1)
    finally:
        for client in clients.values():
            await client.aclose()


async def _dead_letters(kafka: str, topic: str) -> list[tuple[bytes, dict[str, bytes]]]:
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka, enable_auto_commit=False)
    await consumer.start()
    try:
        part = TopicPartition(topics.dead_letters(topic), 0)
        consumer.assign([part])
        consumer.seek(part, 0)
        end = (await consumer.end_offsets([part]))[part]
        out: list[tuple[bytes, dict[str, bytes]]] = []
        while await consumer.position(part) < end:
            for records in (await consumer.getmany(part, timeout_ms=1000)).values():
                out += [(r.value or b"", dict(r.headers)) for r in records]
        return out
    finally:
        await consumer.stop()


async def _until(probe: Callable[[], Awaitable[int]], what: str, expect: int = 1) -> None:
    """Poll until the probe counts ``expect`` (the consumers run concurrently)."""
    for _ in range(800):
        if await probe() >= expect:
            return
        await asyncio.sleep(0.3)
    raise AssertionError(what)


async def _count(runtime: Runtime, sql: str, **params: Any) -> int:
    async with runtime.engine.connect() as conn:
        return int((await conn.execute(text(sql), params)).scalar_one())


@pytest.mark.timeout(900)
async def test_no_poison_message_stops_a_consumer(services: dict[str, Runtime],
                                                  kafka_bootstrap: str) -> None:
    c = f"poison-{uuid.uuid4().hex[:6]}"
    plan = [(t, poisons(t, c), t.message("good")) for t in topics_of(c)]
    seen: dict[str, list[str]] = {s: [] for s in services}
    watcher = asyncio.create_task(_watch_readiness(services, seen))
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        for t, bad, good in plan:  # one key per topic: poison and good share a partition
            for _, raw in bad:
                await producer.send_and_wait(t.name, raw, key=c.encode())
            await producer.send_and_wait(t.name, encode(good), key=c.encode())
    finally:
        await producer.stop()

    for t, bad, good in plan:  # every good message is applied, behind the poison
        await _until(lambda t=t, good=good: _count(services[t.service], t.applied(good)),
                     f"{t.name}: the good message was not applied")
        await _until(lambda t=t, bad=bad: _count(
            services[t.service], "select count(*) from rejected_messages "
            "where topic = :t and raw = any(:raws)", t=t.name, raws=[raw for _, raw in bad]),
            f"{t.name}: not every poison was kept", expect=len(bad))
    watcher.cancel()

    for t, bad, _ in plan:
        async with services[t.service].engine.connect() as conn:
            kept = {bytes(r.raw): r.reason for r in await conn.execute(text(
                "select raw, reason, \"offset\" from rejected_messages where topic = :t"),
                {"t": t.name})}
        reasons = {kind: kept[raw] for kind, raw in bad}
        assert "type" in reasons["type []"], (t.name, reasons)
        assert "schema_version" in reasons["schema_version null"], (t.name, reasons)
        assert "JSON object" in reasons["a JSON array"], (t.name, reasons)
        assert "revenue" in reasons["revenue 1e30"], (t.name, reasons)
        assert "conversions" in reasons["conversions 2**40"], (t.name, reasons)
        assert "seq" in reasons["seq 2**63"], (t.name, reasons)
        assert "NUL" in reasons["NUL in text"], (t.name, reasons)
        assert "JSON" in reasons["plain bytes"] or "UTF-8" in reasons["plain bytes"] \
            or "utf-8" in reasons["plain bytes"], (t.name, reasons)
        assert "not applied after 3 attempts" in reasons["apply raises"], (t.name, reasons)
        assert FAILS in reasons["apply raises"], (t.name, reasons)

        dead = await _dead_letters(kafka_bootstrap, t.name)
        dead_raws = {value: headers for value, headers in dead}
        for kind, raw in bad:
            assert raw in dead_raws, (t.name, kind)
            headers = dead_raws[raw]
            assert headers["affbill-dlq-topic"] == t.name.encode()
            assert headers["affbill-dlq-reason"].decode() == kept[raw][:1000]

    # exactly once by position: the dead-lettered stat rows moved billing's position too
    last = await _count(services["billing"], "select max(\"offset\") from rejected_messages "
                        "where topic = :t", t=topics.ADTRACKER_STATS)
    assert await _count(services["billing"], "select max(\"offset\") from consumer_positions "
                        "where topic = :t", t=topics.ADTRACKER_STATS) >= last

    # what the metrics will read: every poison counted as dead-lettered, nothing stuck
    for t, bad, _ in plan:
        state = services[t.service].consumers.consumers[t.name]
        assert state.dead_lettered >= len(bad) and state.retrying is None, t.name
        assert isinstance(state.lag(), dict) and state.positions

    # while the message whose apply raises was retried, readiness said so; now it is ready
    for service, problems in seen.items():
        assert any("stuck on partition" in p for p in problems), (service, problems)
        assert all(not s.consumers.problems() for s in [services[service]])
