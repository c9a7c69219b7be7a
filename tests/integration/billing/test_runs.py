"""Batch runs on the real database: thresholds, numbering, nothing billed twice."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import text

from affbill_billing.service_layer import run_work, runs
from affbill_contracts import Envelope, ProcessSelected, topics
from affbill_contracts.invoices import InvoiceDocument
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import (
    TODAY,
    command,
    customer_with_items,
    outbox,
)

pytestmark = pytest.mark.integration


async def test_a_run_issues_documents_and_skips_below_threshold(billing: Runtime) -> None:
    _, rich = await customer_with_items(billing)
    _, small = await customer_with_items(billing, threshold="1000")
    counts = await runs.process_selected(billing.uow, command(rich, small),
                                         billing.settings, TODAY)
    assert counts == {"documents_created": 1, "drafts_created": 0, "customers_skipped": 1}
    [issued] = [e.payload for e in await outbox(billing, topics.BILLING_INVOICES)]
    doc = issued.document
    assert doc.number == "INV-2026-00001" and doc.customer_id == rich
    assert doc.totals.line_total == Decimal("72.50") == sum(line.net_amount for line in doc.lines)
    assert doc.totals.tax_total == Decimal("13.78")  # 19 % once on 72.50, rounded HALF_UP
    assert doc.totals.grand_total == Decimal("86.28")
    # 10.00001 billed as 10.00
    assert [(line.quantity, line.unit_price) for line in doc.lines] == [
        (Decimal(5), Decimal("12.5")), (Decimal(1), Decimal("10.00"))]
    lines = [e.payload.text for e in await outbox(billing, topics.JOBS_EVENTS)
             if e.type == "jobs.job.log"]
    assert any(t.startswith("Document INV-2026-00001 created for Acme") for t in lines)
    assert any(t.startswith("Skipped items with a total of 72.50 EUR (threshold 1000.00 EUR)")
               for t in lines)
    async with billing.engine.connect() as conn:
        open_small = await conn.scalar(text("select count(*) from billable_items where "
                                            "customer_id = :c and state = 'open'"), {"c": small})
        open_rich = await conn.scalar(text("select count(*) from billable_items where "
                                           "customer_id = :c and state = 'open'"), {"c": rich})
    assert (open_small, open_rich) == (2, 0)  # thresholds defer, they don't drop


async def test_the_same_run_twice_creates_nothing_twice(billing: Runtime) -> None:
    _, customer = await customer_with_items(billing)
    cmd = command(customer)
    await runs.process_selected(billing.uow, cmd, billing.settings, TODAY)
    assert await runs.process_selected(billing.uow, cmd, billing.settings, TODAY) == {
        "already_done": True}
    again = await runs.process_selected(billing.uow, command(customer), billing.settings,
                                        TODAY)
    assert again["documents_created"] == 0  # a new run finds nothing open
    assert len(await outbox(billing, topics.BILLING_INVOICES)) == 1


async def test_concurrent_runs_bill_each_item_once_with_gapless_numbers(billing: Runtime) -> None:
    customers = [(await customer_with_items(billing))[1] for _ in range(12)]
    results = await asyncio.gather(*(
        runs.process_selected(billing.uow, command(*customers), billing.settings, TODAY)
        for _ in range(3)))
    assert sum(r["documents_created"] for r in results) == 12
    async with billing.engine.connect() as conn:
        numbers = (await conn.execute(text("select number from invoices order by number"))
                   ).scalars().all()
        doubled = await conn.scalar(text(
            "select count(*) from billable_items where state = 'invoiced' and invoice_id is null"))
    assert numbers == [f"INV-2026-{n:05d}" for n in range(1, 13)]
    assert doubled == 0
    issued = [e.payload.document for e in await outbox(billing, topics.BILLING_INVOICES)]
    item_ids = [i for d in issued for line in d.lines for i in line.item_ids]
    assert len(item_ids) == len(set(item_ids)) == 24  # every item on exactly one invoice


async def test_numbering_while_billing_keeps_numbers_gapless_and_snapshots_equal(
        billing: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run_work, "ISSUE_BATCH", 2)  # numbered in small batches meanwhile
    customers = [(await customer_with_items(billing))[1] for _ in range(9)]
    results = await asyncio.gather(*(
        runs.process_selected(billing.uow, command(*customers), billing.settings, TODAY)
        for _ in range(2)))
    assert sum(r["documents_created"] for r in results) == 9
    issued = {e.payload.document.invoice_id: e.payload.document
              for e in await outbox(billing, topics.BILLING_INVOICES)}
    async with billing.engine.connect() as conn:
        stored = (await conn.execute(text(
            "select invoice_id, number, snapshot from invoices order by number"))).all()
    assert [s.number for s in stored] == [f"INV-2026-{n:05d}" for n in range(1, 10)]
    for s in stored:  # the number went into the stored snapshot as into the event
        document = issued[s.invoice_id]
        assert document.number == s.number == document.payment.reference
        assert InvoiceDocument.model_validate(s.snapshot) == document


async def test_select_all_is_resolved_by_billing_under_the_filters(billing: Runtime) -> None:
    customers = [(await customer_with_items(billing))[1] for _ in range(3)]
    async with billing.engine.begin() as conn:  # another account manager's customer
        await conn.execute(text("update customers set account_manager_id = '9' "
                                "where customer_id = :c"), {"c": customers[2]})

    def select_all(**filters: str) -> Envelope[ProcessSelected]:
        return Envelope.wrap(ProcessSelected(run_id=uuid.uuid4(), all_customers=True,
                                             requested_by="anna", **filters))

    nothing = await runs.process_selected(billing.uow, select_all(currency="USD"),
                                          billing.settings, TODAY)
    assert nothing["documents_created"] == 0
    counts = await runs.process_selected(billing.uow, select_all(account_manager_id="3"),
                                         billing.settings, TODAY)
    assert counts["documents_created"] == 2
    issued = [e.payload.document for e in await outbox(billing, topics.BILLING_INVOICES)]
    assert {d.customer_id for d in issued} == set(customers[:2])
    assert all(len(d.lines) > 0 for d in issued)
