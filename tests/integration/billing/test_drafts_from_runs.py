"""Batch runs meet the manual generator: drafts by default, bulk issue over the real broker,
credit notes for negative restatements."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import text

from affbill_billing.entrypoints.messaging import consumer_groups
from affbill_billing.service_layer import ingest, issuing, runs
from affbill_contracts import Envelope, IssueDrafts, ProcessSelected, decode, topics
from affbill_runtime.messaging import ensure_topics, start_groups_at_end
from affbill_runtime.runtime import Runtime
from tests.events import decoded
from tests.integration.billing.conftest import advertiser, row

pytestmark = pytest.mark.integration
TODAY = dt.date(2026, 11, 2)


async def customer(billing: Runtime, drafts_by_default: bool = False,
                   threshold: str | None = None) -> tuple[str, str]:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    cid = await advertiser(billing, c, country="DE", vat=None)
    await ingest.apply_stat_rows(billing.uow(), [row(c, "1004", "37.50000", 3),
                                                 row(c, "1005", "25.00000", 2)])
    async with billing.engine.begin() as conn:
        await conn.execute(text(
            "update billing_profiles set drafts_by_default = :d, threshold_amount = :t, "
            "threshold_currency = 'EUR' where customer_id = :c"),
            {"d": drafts_by_default, "t": threshold and Decimal(threshold), "c": cid})
    return c, cid


async def run(billing: Runtime, *customers: str) -> tuple[dict[str, Any], uuid.UUID]:
    cmd = Envelope.wrap(ProcessSelected(run_id=uuid.uuid4(), customer_ids=list(customers),
                                        requested_by="anna"))
    return await runs.process_selected(billing.uow, cmd, billing.settings, TODAY), \
        cmd.payload.run_id


async def outbox(billing: Runtime, topic: str) -> list[Any]:
    async with billing.engine.connect() as conn:
        values = (await conn.execute(text("select value from outbox where topic = :t order by id"),
                                     {"t": topic})).scalars().all()
    return [decode(v) for v in values]


async def from_kafka(kafka: str, topic: str, job_id: uuid.UUID, want: int) -> list[Any]:
    """Events of one job as they arrived on the real broker."""
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka, enable_auto_commit=False,
                                isolation_level="read_committed")
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or
                 (await consumer._client.force_metadata_update() and
                  consumer.partitions_for_topic(topic))]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        found: list[Any] = []
        for _ in range(120):
            batch = await consumer.getmany(timeout_ms=500)
            found += [e for rs in batch.values() for e in decoded(rs) if e.job_id == job_id]
            if len(found) >= want:
                break
        return found
    finally:
        await consumer.stop()


async def test_drafts_by_default_then_bulk_issue_as_one_job(
        billing: Runtime, api: httpx.AsyncClient, kafka_bootstrap: str) -> None:
    _, first = await customer(billing, drafts_by_default=True)
    _, second = await customer(billing, drafts_by_default=True)
    _, small = await customer(billing, drafts_by_default=True, threshold="1000")
    counts, _ = await run(billing, first, second, small)
    assert counts == {"documents_created": 0, "drafts_created": 2, "customers_skipped": 1}
    lines = [e.payload.text for e in await outbox(billing, topics.JOBS_EVENTS)
             if e.type == "jobs.job.log"]
    assert sum(t.startswith("Draft created for Acme") for t in lines) == 2
    async with billing.engine.connect() as conn:
        reserved = await conn.scalar(text(
            "select count(*) from billable_items where draft_id is not null and state = 'open'"))
    assert reserved == 2  # one item per customer, kept for its draft
    listed = (await api.get("/drafts")).json()
    assert listed["total"] == 2 and {d["customer_id"] for d in listed["items"]} == {first, second}
    assert {d["totals"]["gross"] for d in listed["items"]} == {"74.38"}  # 62.50 + 19 %
    again, _ = await run(billing, first, second)  # a run leaves drafted items alone
    assert again["documents_created"] == again["drafts_created"] == 0

    await ensure_topics(kafka_bootstrap)
    await start_groups_at_end(kafka_bootstrap, consumer_groups(billing.settings.group))
    await billing.start()
    try:
        answer = await api.post("/drafts/issue", headers={"X-Affbill-User": "ben"},
                                json={"draft_ids": [d["draft_id"] for d in listed["items"]]})
        assert answer.status_code == 202
        job_id = uuid.UUID(answer.json()["job_id"])
        issued = await from_kafka(kafka_bootstrap, topics.BILLING_INVOICES, job_id, 2)
        job = await from_kafka(kafka_bootstrap, topics.JOBS_EVENTS, job_id, 6)
    finally:
        await billing.stop()
    assert sorted(e.payload.document.number for e in issued) == ["INV-2026-00001",
                                                                 "INV-2026-00002"]
    assert {e.payload.issued_by for e in issued} == {"ben"}
    texts = [e.payload.text for e in job if e.type == "jobs.job.log"]
    assert sum(t.startswith("Document INV-2026-0000") for t in texts) == 2
    [finished] = [e.payload for e in job if e.type == "jobs.job.finished"]
    assert finished.counts == {"documents_created": 2, "drafts_refused": 0}
    assert (await api.get("/drafts")).json()["total"] == 0
    # the same command redelivered changes nothing
    command = next(e for e in await outbox(billing, topics.BILLING_REQUESTS)
                   if e.job_id == job_id)
    assert await issuing.issue_drafts(billing.uow, command, billing.settings) == {
        "already_done": True}


async def test_a_bulk_issue_reports_drafts_it_could_not_issue(billing: Runtime) -> None:
    _, cid = await customer(billing, drafts_by_default=True)
    await run(billing, cid)
    async with billing.engine.connect() as conn:
        draft_id = await conn.scalar(text("select invoice_id from invoices where status = 'draft'"))
    billing.settings.approvals_required = 1
    try:
        job_id = uuid.uuid4()
        counts = await issuing.issue_drafts(billing.uow, Envelope.wrap(IssueDrafts(
            draft_ids=[draft_id, uuid.uuid4()], requested_by="ben"), job_id=job_id),
            billing.settings)
    finally:
        billing.settings.approvals_required = 0
    assert counts == {"documents_created": 0, "drafts_refused": 2}
    texts = [e.payload.text for e in await outbox(billing, topics.JOBS_EVENTS)
             if e.job_id == job_id and e.type == "jobs.job.log"]
    assert any("Needs approvals by 1 different users" in t for t in texts)
    async with billing.engine.connect() as conn:
        assert await conn.scalar(text("select last_counter from number_series")) is None


async def test_negative_restatements_become_a_credit_note(billing: Runtime) -> None:
    c, cid = await customer(billing, threshold="10")
    counts, _ = await run(billing, cid)
    assert counts["documents_created"] == 1
    # the adtracker restates: one affiliate's 37.50 is gone → an adjustment of -37.50
    await ingest.apply_stat_rows(billing.uow(), [row(c, "1004", "0.00000", 0)])
    counts, _ = await run(billing, cid)
    assert counts["documents_created"] == 1
    credit = [e.payload.document for e in await outbox(billing, topics.BILLING_INVOICES)][-1]
    assert (credit.document_type.value, credit.number) == ("381", "INV-2026-00002")
    assert credit.totals.line_total == Decimal("-37.50") == sum(x.net_amount for x in credit.lines)
    assert credit.totals.tax_total == Decimal("-7.13")  # 19 % of 37.50 = 7.125, HALF_UP
    assert credit.totals.grand_total == Decimal("-44.63")
    # a small credit waits like a small invoice: the threshold applies to the amount's size
    await ingest.apply_stat_rows(billing.uow(), [row(c, "1005", "23.00000", 2)])
    counts, _ = await run(billing, cid)
    assert counts == {"documents_created": 0, "drafts_created": 0, "customers_skipped": 1}
    texts = [e.payload.text for e in await outbox(billing, topics.JOBS_EVENTS)
             if e.type == "jobs.job.log"]
    assert any(t.startswith("Skipped items with a total of -2.00 EUR (threshold 10.00 EUR)")
               for t in texts)


async def test_a_draft_with_restated_items_is_not_issued_until_regrouped(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    c, cid = await customer(billing)
    async with billing.engine.connect() as conn:
        items = [str(i) for i in (await conn.execute(text(
            "select item_id from billable_items where customer_id = :c"), {"c": cid})).scalars()]
    user = {"X-Affbill-User": "anna"}
    did = (await api.post("/drafts", json={"customer_id": cid, "item_ids": items},
                          headers=user)).json()["draft_id"]
    await ingest.apply_stat_rows(billing.uow(), [row(c, "1005", "30.00000", 2)])
    refused = await api.post(f"/drafts/{did}/issue", json={"version": 1}, headers=user)
    assert refused.status_code == 409 and "restated" in refused.json()["detail"]
    draft = (await api.patch(f"/drafts/{did}", json={"version": 1,
                                                     "line_grouping": "offer_per_period"},
                             headers=user)).json()
    assert draft["totals"]["net"] == "67.50"  # 37.50 + 30.00: the restated amount
    issued = await api.post(f"/drafts/{did}/issue", json={"version": 2}, headers=user)
    assert issued.status_code == 200 and issued.json()["totals"]["net"] == "67.50"
