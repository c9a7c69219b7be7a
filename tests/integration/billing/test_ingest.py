"""Adtracker facts → customers and billable items, on the real database (and broker)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from affbill_billing.entrypoints.messaging import consumer_groups
from affbill_billing.service_layer import ingest
from affbill_contracts import (
    AdvertiserSynced,
    ConversionSynced,
    EmployeeSynced,
    Envelope,
    encode,
    topics,
)
from affbill_runtime.messaging import ensure_topics, start_groups_at_end
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import row

pytestmark = pytest.mark.integration
async def items(runtime: Runtime, connector: str) -> list[dict[str, Any]]:
    async with runtime.engine.connect() as conn:
        rows = await conn.execute(text(
            "select * from billable_items where customer_id = :c order by created_at, revenue"),
            {"c": f"{connector}:advertiser:7"})
        return [dict(r) for r in rows.mappings()]


async def invoice_all(runtime: Runtime, connector: str) -> uuid.UUID:
    invoice = uuid.uuid4()
    async with runtime.engine.begin() as conn:
        await conn.execute(text("update billable_items set state = 'invoiced', invoice_id = :i, "
                                "updated_at = now() where customer_id = :c and state = 'open'"),
                           {"i": invoice, "c": f"{connector}:advertiser:7"})
    return invoice


async def test_stat_rows_of_one_offer_and_day_make_one_open_item(billing: Runtime) -> None:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    await ingest.apply_stat_rows(billing.uow(), [row(c, "1004", "10.00001", 2),
                                                 row(c, "1005", "5.50000", 1),
                                                 row(c, "1005", "5.50000", 1, offer="21")])
    found = await items(billing, c)
    assert sorted((i["offer_id"], i["units"], i["revenue"]) for i in found) == [
        ("20", 3, Decimal("15.50001")), ("21", 1, Decimal("5.5"))]
    assert all(i["state"] == "open" for i in found)


async def test_replaying_the_same_events_changes_nothing(billing: Runtime) -> None:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    events = [row(c, "1004", "10.00000"), row(c, "1005", "3.00000")]
    assert await ingest.apply_stat_rows(billing.uow(), events) == 2
    assert await ingest.apply_stat_rows(billing.uow(), events) == 0
    assert await ingest.apply_stat_rows(billing.uow(), [*events, *events]) == 0
    [item] = await items(billing, c)
    assert item["revenue"] == Decimal("13")


async def test_restatements_follow_the_source_and_never_edit_invoiced_items(
        billing: Runtime) -> None:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    await ingest.apply_stat_rows(billing.uow(), [row(c, "1004", "10.00000", 2)])
    await ingest.apply_stat_rows(billing.uow(), [row(c, "1004", "12.00000", 3)])
    [item] = await items(billing, c)
    assert (item["units"], item["revenue"], item["state"]) == (3, Decimal("12"), "open")

    invoice = await invoice_all(billing, c)
    await ingest.apply_stat_rows(billing.uow(), [row(c, "1004", "15.00000", 4)])
    invoiced, adjustment = await items(billing, c)
    assert (invoiced["revenue"], invoiced["state"]) == (Decimal("12"), "invoiced")
    assert (adjustment["revenue"], adjustment["units"], adjustment["state"]) == (
        Decimal("3"), 1, "open")
    assert adjustment["adjusts_invoice_id"] == invoice

    await ingest.apply_stat_rows(billing.uow(), [row(c, "1004", removed=True)])  # row gone
    invoiced, adjustment = await items(billing, c)
    assert (adjustment["revenue"], adjustment["units"]) == (Decimal("-12"), -3)
    assert invoiced["revenue"] + adjustment["revenue"] == 0  # the source says zero now

    await ingest.apply_stat_rows(billing.uow(), [row(c, "1004", "12.00000", 3)])  # back
    [only] = await items(billing, c)  # nothing left to bill: the open item went away
    assert only["state"] == "invoiced"


async def test_partners_and_conversions(billing: Runtime) -> None:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    await ingest.apply_partners(billing.uow(), [
        Envelope.wrap(AdvertiserSynced(connector=c, advertiser_id="7", company="Acme",
                                       status="active", account_manager_id="3", currency="EUR")),
        Envelope.wrap(EmployeeSynced(connector=c, employee_id="3", first_name="Anna",
                                     status="active"))])
    pending = ConversionSynced(connector=c, conversion_id="c-1", advertiser_id="7", offer_id="20",
                               affiliate_id="1004", status="pending", currency="EUR",
                               revenue=Decimal("12.5"), payout=Decimal(0),
                               converted_at=dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC))
    await ingest.apply_conversions(billing.uow(), [Envelope.wrap(pending)])
    await ingest.apply_conversions(billing.uow(), [
        Envelope.wrap(pending.model_copy(update={"status": "approved"}))])
    async with billing.engine.connect() as conn:
        customer = (await conn.execute(text("select * from customers where customer_id = :c"),
                                       {"c": f"{c}:advertiser:7"})).mappings().one()
        status = await conn.scalar(text("select status from conversions where connector = :c"),
                                   {"c": c})
    assert (customer["name"], customer["account_manager_id"]) == ("Acme", "3")
    assert status == "approved"


async def test_consumer_reads_committed_facts_from_kafka(billing: Runtime,
                                                         kafka_bootstrap: str) -> None:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    await ensure_topics(kafka_bootstrap)
    await start_groups_at_end(kafka_bootstrap, consumer_groups(billing.settings.group))
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True,
                                transactional_id=f"test-{c}")
    await producer.start()
    try:
        await producer.begin_transaction()  # an aborted sync step must not count
        await producer.send(topics.ADTRACKER_STATS, encode(row(c, "1009", "999.00000")),
                            key=c.encode())
        await producer.abort_transaction()
        await producer.begin_transaction()
        await producer.send(topics.ADTRACKER_STATS, encode(row(c, "1004", "10.00000")),
                            key=c.encode())
        await producer.send(topics.ADTRACKER_STATS, b'{"type": "adtracker.stat_row.synced"}',
                            key=c.encode())
        await producer.commit_transaction()
    finally:
        await producer.stop()
    await billing.start()
    try:
        for _ in range(200):
            found = await items(billing, c)
            if found:
                break
            await asyncio.sleep(0.25)
    finally:
        await billing.stop()
    assert [(i["revenue"], i["units"]) for i in found] == [(Decimal("10"), 2)]
    async with billing.engine.connect() as conn:
        rejected = (await conn.execute(text("select topic, reason from rejected_messages"))).all()
    assert any(r.topic == topics.ADTRACKER_STATS for r in rejected)
