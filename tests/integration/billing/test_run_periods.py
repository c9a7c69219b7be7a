"""A run bills a billing period: only items whose day is in it (never the current day),
the period printed as the service period, dates by the profile's or the run's rules."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import text

from affbill_billing.service_layer import ingest, runs
from affbill_contracts import Envelope, ProcessSelected, topics
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import advertiser, outbox, row

pytestmark = pytest.mark.integration
TODAY = dt.date(2026, 12, 2)  # a Wednesday: November is the last closed month
DAYS = [dt.date(2026, 10, 31), dt.date(2026, 11, 1), dt.date(2026, 11, 23),
        dt.date(2026, 11, 30), dt.date(2026, 12, 1), TODAY]


async def customer_over_days(billing: Runtime, **profile: str) -> str:
    """A customer with 10.00 EUR on each of DAYS (October's last day … today)."""
    c = f"ho-{uuid.uuid4().hex[:6]}"
    customer = await advertiser(billing, c, country="DE", vat=None)
    await billing_rows(billing, c, DAYS)
    if profile:
        sets = ", ".join(f"{k} = :{k}" for k in profile)
        async with billing.engine.begin() as conn:
            await conn.execute(text(f"update billing_profiles set {sets} where customer_id = :c"),
                               {**profile, "c": customer})
    return customer


async def billing_rows(billing: Runtime, c: str, days: list[dt.date]) -> None:
    await ingest.apply_stat_rows(billing.uow(), [row(c, "1004", "10.00000", 1, day=d)
                                                 for d in days])


def run(*customers: str, **period: object) -> Envelope[ProcessSelected]:
    return Envelope.wrap(ProcessSelected(run_id=uuid.uuid4(), customer_ids=list(customers),
                                         requested_by="anna", **period))


async def open_days(billing: Runtime, customer: str) -> list[dt.date]:
    async with billing.engine.connect() as conn:
        return list((await conn.execute(text(
            "select day from billable_items where customer_id = :c and state = 'open' "
            "order by day"), {"c": customer})).scalars())


async def documents(billing: Runtime) -> dict[str, object]:
    return {e.payload.document.customer_id: e.payload.document
            for e in await outbox(billing, topics.BILLING_INVOICES)}


async def test_the_default_is_the_last_closed_period_of_each_customer(billing: Runtime) -> None:
    monthly = await customer_over_days(billing)
    weekly = await customer_over_days(billing, billing_frequency="weekly")
    counts = await runs.process_selected(billing.uow, run(monthly, weekly), billing.settings,
                                         TODAY)
    assert counts["documents_created"] == 2
    docs = await documents(billing)
    # monthly: November, with October's open last day carried; December stays open
    assert (docs[monthly].period_start, docs[monthly].period_end) == (
        dt.date(2026, 10, 31), dt.date(2026, 11, 30))
    assert docs[monthly].totals.line_total == Decimal("40.00")
    assert await open_days(billing, monthly) == [dt.date(2026, 12, 1), TODAY]
    # weekly: up to Sunday 29 November; the 30th is in this week
    assert docs[weekly].period_end == dt.date(2026, 11, 29)
    assert docs[weekly].totals.line_total == Decimal("30.00")
    assert await open_days(billing, weekly) == [dt.date(2026, 11, 30), dt.date(2026, 12, 1),
                                                TODAY]
    lines = [e.payload.text for e in await outbox(billing, topics.JOBS_EVENTS)
             if e.type == "jobs.job.log"]
    assert any(t.startswith("Billing period: each customer's last closed period") for t in lines)


async def test_a_named_period_and_the_current_day(billing: Runtime) -> None:
    november = await customer_over_days(billing)
    await runs.process_selected(billing.uow, run(
        november, period_start=dt.date(2026, 11, 1), period_end=dt.date(2026, 11, 30)),
        billing.settings, TODAY)
    doc = (await documents(billing))[november]
    assert (doc.period_start, doc.period_end) == (dt.date(2026, 10, 31), dt.date(2026, 11, 30))
    assert await open_days(billing, november) == [dt.date(2026, 12, 1), TODAY]
    # December is not over: its first day is billed, today never
    await runs.process_selected(billing.uow, run(
        november, period_start=dt.date(2026, 12, 1), period_end=dt.date(2026, 12, 31)),
        billing.settings, TODAY)
    assert await open_days(billing, november) == [TODAY]
    lines = [e.payload.text for e in await outbox(billing, topics.JOBS_EVENTS)
             if e.type == "jobs.job.log"]
    assert ("Billing period: 2026-12-01..2026-12-31; the current day is never billed: items "
            "up to 2026-12-01") in lines


async def test_select_all_with_a_period_finds_only_customers_with_items_in_it(
        billing: Runtime) -> None:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    only_today = await advertiser(billing, c, country="DE", vat=None)
    await billing_rows(billing, c, [TODAY])
    counts = await runs.process_selected(billing.uow, Envelope.wrap(ProcessSelected(
        run_id=uuid.uuid4(), all_customers=True, requested_by="anna")), billing.settings, TODAY)
    assert counts["documents_created"] == 0
    assert await open_days(billing, only_today) == [TODAY]


@pytest.mark.parametrize(("profile", "period", "issued", "due"), [
    ({}, {}, TODAY, TODAY + dt.timedelta(days=14)),
    ({"invoice_date_rule": "last_day_of_period"}, {}, dt.date(2026, 11, 30),
     dt.date(2026, 12, 14)),
    ({"invoice_date_rule": "last_day_of_period", "due_date_basis": "generation_date"}, {},
     dt.date(2026, 11, 30), dt.date(2026, 12, 16)),
    ({}, {"invoice_date_rule": "first_day_after_period"}, dt.date(2026, 12, 1),
     dt.date(2026, 12, 15)),
    ({"invoice_date_rule": "last_day_of_period"},
     {"invoice_date_rule": "first_day_after_period", "due_date_basis": "generation_date"},
     dt.date(2026, 12, 1), dt.date(2026, 12, 16)),
])
async def test_invoice_and_due_dates_by_profile_and_by_run(
        billing: Runtime, profile: dict[str, str], period: dict[str, str], issued: dt.date,
        due: dt.date) -> None:
    customer = await customer_over_days(billing, **profile)
    await runs.process_selected(billing.uow, run(customer, **period), billing.settings, TODAY)
    doc = (await documents(billing))[customer]
    assert (doc.issue_date, doc.due_date) == (issued, due)


async def test_a_runs_draft_states_the_period_like_its_documents(
        billing: Runtime, api: object) -> None:
    mid_month = [dt.date(2026, 11, 10), dt.date(2026, 11, 20)]
    customers = []
    for drafts_by_default in (True, False):
        c = f"ho-{uuid.uuid4().hex[:6]}"
        customers.append(await advertiser(billing, c, country="DE", vat=None))
        await billing_rows(billing, c, mid_month)
        async with billing.engine.begin() as conn:
            await conn.execute(text("update billing_profiles set drafts_by_default = :d "
                                    "where customer_id = :c"),
                               {"d": drafts_by_default, "c": customers[-1]})
    drafted, billed = customers
    counts = await runs.process_selected(billing.uow, run(drafted, billed), billing.settings,
                                         TODAY)
    assert counts["drafts_created"] == 1 and counts["documents_created"] == 1
    async with billing.engine.connect() as conn:
        draft_id = await conn.scalar(text(
            "select invoice_id from invoices where customer_id = :c and status = 'draft'"),
            {"c": drafted})
    issued = await api.post(f"/drafts/{draft_id}/issue", json={"version": 1},  # type: ignore[attr-defined]
                            headers={"X-Affbill-User": "ben"})
    assert issued.status_code in (200, 201), issued.text
    docs = await documents(billing)
    # the draft's lines name their days (10 and 20 November); the document it issues states
    # the billed period, exactly as the run's own document does
    assert (docs[drafted].period_start, docs[drafted].period_end) == (
        docs[billed].period_start, docs[billed].period_end) == (
        dt.date(2026, 11, 1), dt.date(2026, 11, 30))
