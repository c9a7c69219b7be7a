"""A locked period: runs for it are refused (forced or not); a restatement of one of its
days becomes an adjustment item, linked to the original invoice, that the next period's
run bills; the locked period's documents stay as they were."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from affbill_billing.service_layer import ingest, runs
from affbill_contracts import Envelope, ProcessSelected, topics
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import advertiser, outbox, row

pytestmark = pytest.mark.integration
NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
DECEMBER = (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
IN_DECEMBER, IN_JANUARY = dt.date(2026, 12, 2), dt.date(2027, 1, 2)
DAY = dt.date(2026, 11, 10)


def run(customer: str, period: tuple[dt.date, dt.date], **more: Any
        ) -> Envelope[ProcessSelected]:
    return Envelope.wrap(ProcessSelected(run_id=uuid.uuid4(), customer_ids=[customer],
                                         period_start=period[0], period_end=period[1],
                                         requested_by="anna", **more))


async def job(billing: Runtime, job_id: uuid.UUID) -> tuple[list[str], Any]:
    events = [e for e in await outbox(billing, topics.JOBS_EVENTS) if e.job_id == job_id]
    return ([e.payload.text for e in events if e.type == "jobs.job.log"],
            next(e.payload for e in events if e.type == "jobs.job.finished"))


async def invoice_rows(billing: Runtime, customer: str) -> list[Any]:
    async with billing.engine.connect() as conn:
        return list((await conn.execute(text(
            "select invoice_id, number, status, net_total, period_start, period_end, "
            "snapshot::text from invoices where customer_id = :c order by number"),
            {"c": customer})).all())


async def test_a_restatement_in_a_locked_period_goes_to_the_next_one(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    settings = billing.settings.model_copy(update={"lock_period_after_run": True})
    c = f"ho-{uuid.uuid4().hex[:6]}"
    customer = await advertiser(billing, c, country="DE", vat=None)
    await ingest.apply_stat_rows(billing.uow(), [row(c, "1004", "100.00000", 4, day=DAY)])

    november = run(customer, NOVEMBER)
    await runs.process_selected(billing.uow, november, settings, IN_DECEMBER)
    lines, _ = await job(billing, november.payload.run_id)
    assert ("Period 2026-11-01..2026-11-30 locked: restatements of its days go to the next "
            "period") in lines
    [locked_doc] = await invoice_rows(billing, customer)
    periods = (await api.get("/periods", params={"before": "2026-12-02", "count": 1})).json()
    assert periods["items"][0]["locked"]["by"] == "billing"

    # the adtracker restates 10 November: 100 → 130
    await ingest.apply_stat_rows(billing.uow(), [row(c, "1004", "130.00000", 5, day=DAY)])
    async with billing.engine.connect() as conn:
        [adjustment] = (await conn.execute(text(
            "select day, revenue, state, adjusts_invoice_id from billable_items "
            "where customer_id = :c and state = 'open'"), {"c": customer})).all()
    assert adjustment == (DAY, Decimal("30.0000000000"), "open", locked_doc.invoice_id)

    for again in (run(customer, NOVEMBER), run(customer, NOVEMBER, force_reason="urgent")):
        await runs.process_selected(billing.uow, again, settings, IN_DECEMBER)
        _, end = await job(billing, again.payload.run_id)
        assert end.status == "failed" and end.reason.startswith(
            "Period 2026-11-01..2026-11-30 is locked (by billing at ")
    assert await invoice_rows(billing, customer) == [locked_doc]  # the locked document as it was

    december = run(customer, DECEMBER)  # the next open period bills the adjustment
    counts = await runs.process_selected(billing.uow, december, settings, IN_JANUARY)
    assert counts["documents_created"] == 1
    first, second = await invoice_rows(billing, customer)
    assert first == locked_doc
    assert (second.net_total, second.period_start, second.period_end) == (
        Decimal("30.00"), DAY, DECEMBER[1])


ANNA = {"X-Affbill-User": "anna"}


async def test_a_period_is_locked_by_hand(billing: Runtime, api: httpx.AsyncClient) -> None:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    customer = await advertiser(billing, c, country="DE", vat=None)
    await ingest.apply_stat_rows(billing.uow(), [row(c, "1004", "100.00000", 4, day=DAY)])
    answer = await api.post("/periods/lock", json={
        "period_start": "2026-11-01", "period_end": "2026-11-30", "reason": "closed"}, headers=ANNA)
    assert answer.status_code == 200 and answer.json()["already_locked"] is False
    again = await api.post("/periods/lock", json={
        "period_start": "2026-11-01", "period_end": "2026-11-30", "reason": "closed"}, headers=ANNA)
    assert again.json()["already_locked"] is True
    bad = await api.post("/periods/lock", json={
        "period_start": "2026-11-30", "period_end": "2026-11-01", "reason": "x"}, headers=ANNA)
    assert bad.status_code == 422
    refused = run(customer, NOVEMBER)
    await runs.process_selected(billing.uow, refused, billing.settings, IN_DECEMBER)
    _, end = await job(billing, refused.payload.run_id)
    assert end.status == "failed" and "(by anna at " in end.reason and ": closed)" in end.reason


async def test_items_of_a_locked_day_cannot_be_carted(billing: Runtime,
                                                      api: httpx.AsyncClient) -> None:
    user = {"X-Affbill-User": "anna"}
    c = f"ho-{uuid.uuid4().hex[:6]}"
    customer = await advertiser(billing, c, country="DE", vat=None)
    await ingest.apply_stat_rows(billing.uow(), [
        row(c, "1004", "5.00000", 1, day=DAY), row(c, "1004", "7.00000", 1, day=IN_DECEMBER)])
    async with billing.engine.connect() as conn:
        items = dict((await conn.execute(text(
            "select day, item_id from billable_items where customer_id = :c"),
            {"c": customer})).all())
    locked = await api.post("/periods/lock", headers=user, json={
        "period_start": str(NOVEMBER[0]), "period_end": str(NOVEMBER[1]),
        "reason": "November closed"})
    assert locked.status_code == 200, locked.text
    refused = await api.post("/drafts", headers=user, json={
        "customer_id": customer, "item_ids": [str(items[DAY]), str(items[IN_DECEMBER])]})
    assert refused.status_code == 409, refused.text
    assert ("Items of a locked period cannot be carted: 2026-11-10 lies in "
            "2026-11-01..2026-11-30") in refused.json()["detail"]
    async with billing.engine.connect() as conn:  # nothing reserved
        assert await conn.scalar(text("select count(*) from invoices where customer_id = :c"),
                                 {"c": customer}) == 0
    carted = await api.post("/drafts", headers=user, json={
        "customer_id": customer, "item_ids": [str(items[IN_DECEMBER])]})
    assert carted.status_code == 201, carted.text
