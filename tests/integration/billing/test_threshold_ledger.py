"""Thresholds defer, and the ledger says what each run carried; a profile's maximum age
bills items carried for N periods anyway, and the log says so."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import text

from affbill_billing.domain.periods import BillingFrequency, BillingPeriod
from affbill_billing.domain.thresholds import waived
from affbill_billing.service_layer import ingest, runs
from affbill_contracts import Envelope, ProcessSelected, topics
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import advertiser, outbox, row

pytestmark = pytest.mark.integration
SEPTEMBER_DAY = dt.date(2026, 9, 10)


async def small_customer(billing: Runtime) -> str:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    customer = await advertiser(billing, c, country="DE", vat=None)
    await ingest.apply_stat_rows(billing.uow(), [row(c, "1004", "20.00000", 1,
                                                     day=SEPTEMBER_DAY)])
    async with billing.engine.begin() as conn:
        await conn.execute(text("update billing_profiles set threshold_amount = 100, "
                                "threshold_currency = 'EUR' where customer_id = :c"),
                           {"c": customer})
    return customer


async def run_on(billing: Runtime, customer: str, today: dt.date) -> tuple[dict, list[str]]:
    cmd = Envelope.wrap(ProcessSelected(run_id=uuid.uuid4(), customer_ids=[customer],
                                        requested_by="anna"))
    counts = await runs.process_selected(billing.uow, cmd, billing.settings, today)
    return counts, [e.payload.text for e in await outbox(billing, topics.JOBS_EVENTS)
                    if e.type == "jobs.job.log" and e.job_id == cmd.payload.run_id]


async def test_the_ledger_and_the_maximum_age(billing: Runtime, api: httpx.AsyncClient) -> None:
    customer = await small_customer(billing)
    async with billing.engine.begin() as conn:
        await conn.execute(text("update billing_profiles set threshold_max_periods = 2 "
                                "where customer_id = :c"), {"c": customer})
    # October's run (September carried one period): below the threshold, it waits
    counts, _ = await run_on(billing, customer, dt.date(2026, 11, 2))
    assert counts["customers_skipped"] == 1 and counts["documents_created"] == 0
    ledger = (await api.get(f"/customers/{customer}/threshold-ledger")).json()["items"]
    assert [(r["currency"], r["carried"], r["threshold"], r["items"], r["oldest_day"])
            for r in ledger] == [("EUR", "20.00", "100.00", 1, "2026-09-10")]
    # November's run: September is two periods old, the threshold is waived
    counts, log = await run_on(billing, customer, dt.date(2026, 12, 2))
    assert counts["documents_created"] == 1
    assert "Threshold waived for Acme " + customer.split(":")[0] + \
        ": items older than 2 periods" in log
    [issued] = [e.payload.document for e in await outbox(billing, topics.BILLING_INVOICES)
                if e.payload.document.customer_id == customer]
    assert issued.totals.line_total == Decimal("20.00")


def test_the_maximum_age_counts_periods() -> None:
    october = BillingPeriod(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    november = BillingPeriod(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    monthly = BillingFrequency.MONTHLY
    assert waived(SEPTEMBER_DAY, october, monthly, 1)
    assert not waived(SEPTEMBER_DAY, october, monthly, 2)
    assert waived(SEPTEMBER_DAY, november, monthly, 2)
    assert not waived(SEPTEMBER_DAY, november, monthly, None)
    assert not waived(SEPTEMBER_DAY, None, monthly, 1)
    assert waived(dt.date(2026, 10, 25), november, BillingFrequency.WEEKLY, 1)


async def test_the_fiscal_year_end_bills_everything_held_back(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    customer = await small_customer(billing)
    name = "Acme " + customer.split(":")[0]
    changed = await api.patch(f"/customers/{customer}/profile", headers={
        "X-Affbill-User": "anna"}, json={"threshold_waived_at_fiscal_year_end": True})
    assert changed.status_code == 200, changed.text
    # the fiscal year starts in October: September 2026 holds its last day
    settings = billing.settings.model_copy(update={"fiscal_year_start_month": 10})
    cmd = Envelope.wrap(ProcessSelected(run_id=uuid.uuid4(), customer_ids=[customer],
                                        requested_by="anna"))
    assert (await runs.process_selected(billing.uow, cmd, settings, dt.date(2026, 10, 2))
            )["documents_created"] == 1
    log = [e.payload.text for e in await outbox(billing, topics.JOBS_EVENTS)
           if e.type == "jobs.job.log" and e.job_id == cmd.payload.run_id]
    assert f"Threshold waived for {name}: fiscal year end 2026-09-30" in log


async def test_without_the_fiscal_year_end_in_the_period_the_items_wait(
        billing: Runtime) -> None:
    customer = await small_customer(billing)
    async with billing.engine.begin() as conn:
        await conn.execute(text("update billing_profiles set "
                                "threshold_waived_at_fiscal_year_end = true "
                                "where customer_id = :c"), {"c": customer})
    counts, log = await run_on(billing, customer, dt.date(2026, 10, 2))  # fiscal year: January
    assert counts["customers_skipped"] == 1 and not any("waived" in t for t in log)


def test_the_fiscal_year_end_in_the_billed_period() -> None:
    from affbill_billing.domain.thresholds import fiscal_year_end_in, waiver

    september = BillingPeriod(dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    december = BillingPeriod(dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    new_year_week = BillingPeriod(dt.date(2026, 12, 28), dt.date(2027, 1, 3))
    assert fiscal_year_end_in(december, 1) == dt.date(2026, 12, 31)
    assert fiscal_year_end_in(new_year_week, 1) == dt.date(2026, 12, 31)
    assert fiscal_year_end_in(september, 10) == dt.date(2026, 9, 30)
    assert fiscal_year_end_in(september, 1) is None
    monthly = BillingFrequency.MONTHLY
    assert waiver(SEPTEMBER_DAY, december, monthly, None, True) == "fiscal year end 2026-12-31"
    assert waiver(SEPTEMBER_DAY, december, monthly, None, False) is None
    assert waiver(SEPTEMBER_DAY, december, monthly, 1, True) == "items older than 1 periods"
    assert waiver(SEPTEMBER_DAY, None, monthly, None, True) is None
