"""The real sync, billing and gateway services as processes on the real broker and database.

Documents and jobs are not started: their routes answer 502 here, which is what the
gateway must say while a service is down. Billing's consumer groups start at the
topics' end, so earlier traffic on the broker is not replayed into this database.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Self

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from affbill_billing.entrypoints.messaging import consumer_groups
from affbill_contracts import AdvertiserSynced, Envelope, StatRowSynced, encode, topics
from affbill_contracts.common import PostalAddress
from affbill_runtime.messaging import ensure_topics, start_groups_at_end
from tests.events import decoded
from tests.processes import INTERNAL_SECRET, free_port, running_services
from tests.signing import SignedAsGateway

ADMIN_KEY = "affb_integration-admin-key-0123456789abcdef"
CONNECTOR = "hasoffers-test"


@dataclass
class Stack:
    gateway: str
    sync: str
    billing: str
    kafka: str
    database_url: str

    def client(self, key: str | None = None) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.gateway, timeout=30,
                                 headers={"X-API-Key": key} if key else {})

    def direct(self, base_url: str = "") -> httpx.AsyncClient:
        """A client of the services themselves, signing as the gateway does."""
        return httpx.AsyncClient(base_url=base_url, timeout=30,
                                 auth=SignedAsGateway(INTERNAL_SECRET))


@pytest.fixture(scope="module")
def stack(database_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Stack]:
    run = uuid.uuid4().hex[:6]
    ports = {"sync": free_port(), "billing": free_port(), "gateway": free_port()}
    nobody = free_port()  # documents and jobs: nothing listens there
    env = {**os.environ, "DATABASE_URL": database_url, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "AFFBILL_GATEWAY_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
           "AFFBILL_BILLING_RUNS_NEED_READY_PERIOD": "false",  # these tests run no sync
           "AFFBILL_GATEWAY_SYNC_URL": f"http://127.0.0.1:{ports['sync']}",
           "AFFBILL_GATEWAY_BILLING_URL": f"http://127.0.0.1:{ports['billing']}",
           "AFFBILL_GATEWAY_DOCUMENTS_URL": f"http://127.0.0.1:{nobody}",
           "AFFBILL_GATEWAY_JOBS_URL": f"http://127.0.0.1:{nobody}",
           "AFFBILL_SYNC_CONNECTORS": json.dumps([{
               "id": CONNECTOR, "kind": "hasoffers", "base_url": f"http://127.0.0.1:{nobody}",
               "token": "t", "timezone": "Europe/Berlin", "max_attempts": 1}])}
    env.update({f"AFFBILL_{s.upper()}_CONSUMER_GROUP": f"gw-it-{run}-{s}" for s in ports})

    async def fresh_groups() -> None:
        await ensure_topics(kafka_bootstrap)
        await start_groups_at_end(kafka_bootstrap, {
            **consumer_groups(f"gw-it-{run}-billing"),
            f"gw-it-{run}-sync": topics.SYNC_REQUESTS})  # not the history of sync requests

    asyncio.run(fresh_groups())
    with running_services(ports, env, tmp_path_factory.mktemp("gateway-logs")):
        yield Stack(*(f"http://127.0.0.1:{ports[s]}" for s in ("gateway", "sync", "billing")),
                    kafka_bootstrap, database_url)


@pytest.fixture(scope="module")
async def keys(stack: Stack) -> dict[str, str]:
    """role → a key of that role (the admin's from configuration, the others made with it)."""
    made = {"admin": ADMIN_KEY}
    async with stack.client(ADMIN_KEY) as admin:
        for role in ("accountant", "viewer"):
            response = await admin.post("/api/v1/keys", json={
                "name": f"{role}-{uuid.uuid4().hex[:6]}@network.example", "role": role})
            assert response.status_code == 201, response.text
            made[role] = response.json()["key"]
    return made


class Topic:
    """Reads what is sent to a topic from now on."""

    def __init__(self, kafka: str, topic: str) -> None:
        self.consumer = AIOKafkaConsumer(bootstrap_servers=kafka, enable_auto_commit=False)
        self.topic = topic

    async def __aenter__(self) -> Self:
        await self.consumer.start()
        await self.consumer._client.force_metadata_update()
        parts = [TopicPartition(self.topic, p)
                 for p in self.consumer.partitions_for_topic(self.topic) or ()]
        self.consumer.assign(parts)
        await self.consumer.seek_to_end(*parts)
        for p in parts:  # resolve the end now, not at the first read
            await self.consumer.position(p)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.consumer.stop()

    async def read(self, seconds: float) -> list[Envelope[Any]]:
        batch = await self.consumer.getmany(timeout_ms=int(seconds * 1000))
        return [e for rs in batch.values() for e in decoded(rs)]

    async def wait_for(self, found: Any, seconds: float = 60) -> list[Envelope[Any]]:
        seen: list[Envelope[Any]] = []
        async with asyncio.timeout(seconds):
            while not any(found(e) for e in seen):
                seen += await self.read(0.5)
        return seen


async def seed_customer(stack: Stack, revenue: str = "120.00000") -> str:
    """An advertiser with one open billable item, sent to billing as the sync would."""
    connector = f"ho-{uuid.uuid4().hex[:6]}"
    day = dt.date(2026, 10, 1)
    advertiser = Envelope.wrap(AdvertiserSynced(
        connector=connector, advertiser_id="7", company=f"Acme {connector}", status="active",
        currency="EUR", address=PostalAddress(lines=["Hauptstr. 1"], city="Berlin",
                                              country_code="DE")))
    stat = Envelope.wrap(StatRowSynced(
        connector=connector, stat_key=f"{connector}|{day}|7|20|1004|EUR", date=day,
        advertiser_id="7", offer_id="20", offer_name="Shop CPS", affiliate_id="1004",
        currency="EUR", conversions=3, revenue=Decimal(revenue), payout=Decimal(0)))
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka)
    await producer.start()
    try:
        await producer.send_and_wait(topics.ADTRACKER_ADVERTISERS, encode(advertiser), key=b"7")
        await producer.send_and_wait(topics.ADTRACKER_STATS, encode(stat), key=b"7")
    finally:
        await producer.stop()
    customer = f"{connector}:advertiser:7"
    async with stack.direct(stack.billing) as billing:
        async with asyncio.timeout(60):
            while True:
                # advertisers and stats are consumed by separate groups: wait for both
                items = (await billing.get(f"/generator/{customer}/items")).json()
                profile = await billing.get(f"/customers/{customer}/profile")
                if items["total"] and profile.status_code == 200:
                    return customer
                await asyncio.sleep(0.3)


@pytest.fixture
async def admin(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with stack.client(ADMIN_KEY) as client:
        yield client
