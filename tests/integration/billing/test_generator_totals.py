"""generator_totals (kept by triggers on billable_items) equals a fresh GROUP BY of the open
items after every kind of change: ingest, restatement, removal, run, threshold skip,
draft, discard, draft issue, cancellation."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import text

from affbill_billing.service_layer import drafts, ingest, issuing, runs
from affbill_contracts import Envelope, ProcessSelected
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import DAY, advertiser, row

pytestmark = pytest.mark.integration
TODAY = dt.date(2026, 11, 2)

FRESH = """
select customer_id, currency, count(*) filter (where draft_id is null) as items,
       coalesce(sum(revenue) filter (where draft_id is null), 0) as total,
       count(*) filter (where draft_id is not null) as draft_items,
       coalesce(sum(revenue) filter (where draft_id is not null), 0) as draft_total,
       min(day) as first_day, max(day) as last_day
from billable_items where state = 'open' group by 1, 2 order by 1, 2
"""
KEPT = """
select customer_id, currency, items, total, draft_items, draft_total, first_day, last_day
from generator_totals order by 1, 2
"""


async def assert_exact(billing: Runtime) -> list[tuple]:
    async with billing.engine.connect() as conn:
        fresh = [tuple(r) for r in await conn.execute(text(FRESH))]
        kept = [tuple(r) for r in await conn.execute(text(KEPT))]
    assert kept == fresh
    return kept


def run(*customers: str) -> Envelope[ProcessSelected]:
    return Envelope.wrap(ProcessSelected(run_id=uuid.uuid4(), customer_ids=list(customers),
                                         requested_by="anna"))


async def test_totals_follow_every_change_of_the_open_items(billing: Runtime) -> None:
    a, b = f"ho-{uuid.uuid4().hex[:6]}", f"ho-{uuid.uuid4().hex[:6]}"
    ca, cb = await advertiser(billing, a), await advertiser(billing, b)
    later = DAY + dt.timedelta(days=5)
    await ingest.apply_stat_rows(billing.uow(), [
        row(a, "1004", "10.00000", 2), row(a, "1005", "5.50000", 1, day=later),
        row(a, "1004", "7.00000", 1, offer="21", day=DAY + dt.timedelta(days=2)),
        row(b, "1004", "3.00000", 1), row(b, "1004", "4.00000", 1, day=later)])
    assert len(await assert_exact(billing)) == 2
    # restatement of an open item, and a row gone from the source (its last day leaves)
    await ingest.apply_stat_rows(billing.uow(), [
        row(a, "1004", "12.00000", 3), row(b, "1004", "0", 0, day=later, removed=True)])
    kept = await assert_exact(billing)
    assert [k[7] for k in kept if k[0] == cb] == [DAY]
    # a threshold keeps b's items open; a's are invoiced and leave the generator
    async with billing.engine.begin() as conn:
        await conn.execute(text("update billing_profiles set threshold_amount = 1000 "
                                "where customer_id = :c"), {"c": cb})
    await runs.process_selected(billing.uow, run(ca, cb), billing.settings, TODAY)
    assert [k[0] for k in await assert_exact(billing)] == [cb]
    # a restatement of an invoiced day comes back as an open adjustment
    await ingest.apply_stat_rows(billing.uow(), [row(a, "1004", "15.00000", 4)])
    await assert_exact(billing)
    # b's items into a draft (in drafts), discarded (open again), into a draft again, issued
    async with billing.engine.connect() as conn:
        items = list((await conn.execute(text(
            "select item_id from billable_items where customer_id = :c and state = 'open'"),
            {"c": cb})).scalars())
    draft = await drafts.cart_into_generator(billing.uow, cb, items[:1], "anna", billing.settings)
    await assert_exact(billing)
    await drafts.discard(billing.uow, draft, 1)
    await assert_exact(billing)
    draft = await drafts.cart_into_generator(billing.uow, cb, items, "anna", billing.settings)
    await assert_exact(billing)
    document, _ = await issuing.issue_draft(billing.uow, draft, 1, "anna", billing.settings,
                                            TODAY)
    assert [k[0] for k in await assert_exact(billing)] == [ca]
    # a cancellation returns the invoice's items to the generator
    await issuing.cancel_invoice(billing.uow, document.invoice_id, "anna", billing.settings,
                                 TODAY)
    assert sorted(k[0] for k in await assert_exact(billing)) == sorted([ca, cb])
