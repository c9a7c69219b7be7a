"""A dry run computes what the real run does — per customer the document and its totals,
drafts, skips with reasons, the change against the previous period, new and missing
customers — and changes nothing: every billing table is equal before and after."""

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
from tests.integration.billing.test_run_periods import TODAY

pytestmark = pytest.mark.integration
OCTOBER, NOVEMBER = dt.date(2026, 10, 15), dt.date(2026, 11, 15)
# the dry run's own result and its job's events are all it writes
WRITTEN_BY_A_DRY_RUN = {"outbox", "dry_run_lines"}


async def customer(billing: Runtime, days: dict[dt.date, str], **profile: Any) -> str:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    found = await advertiser(billing, c, country="DE", vat=None)
    await ingest.apply_stat_rows(billing.uow(), [row(c, "1004", amount, 1, day=d)
                                                 for d, amount in days.items()])
    if profile:
        sets = ", ".join(f"{k} = :{k}" for k in profile)
        async with billing.engine.begin() as conn:
            await conn.execute(text(f"update billing_profiles set {sets} where customer_id = :c"),
                               {**profile, "c": found})
    return found


async def every_table(billing: Runtime) -> dict[str, list[str]]:
    async with billing.engine.connect() as conn:
        tables = (await conn.execute(text(
            "select table_name from information_schema.tables where table_schema = "
            "current_schema() and table_type = 'BASE TABLE' order by 1"))).scalars().all()
        assert {"billable_items", "invoices", "runs", "generator_totals"} <= set(tables)
        return {t: sorted(map(str, (await conn.execute(text(f'select * from "{t}"'))).all()))
                for t in tables if t not in WRITTEN_BY_A_DRY_RUN}


def command(customers: list[str], **more: Any) -> Envelope[ProcessSelected]:
    return Envelope.wrap(ProcessSelected(run_id=uuid.uuid4(), customer_ids=customers,
                                         requested_by="anna", **more))


async def test_a_dry_run_changes_nothing_and_says_what_the_run_does(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    grows = await customer(billing, {OCTOBER: "100.00000", NOVEMBER: "125.00000"})
    gone = await customer(billing, {OCTOBER: "50.00000"})
    small = await customer(billing, {NOVEMBER: "5.00000"}, threshold_amount=Decimal(100),
                           threshold_currency="EUR")
    drafted = await customer(billing, {NOVEMBER: "30.00000"}, drafts_by_default=True)
    new = await customer(billing, {NOVEMBER: "40.00000"})
    parked = await customer(billing, {OCTOBER: "20.00000", NOVEMBER: "60.00000"})
    everyone = [grows, gone, small, drafted, new, parked]
    await runs.process_selected(billing.uow, command(
        everyone, period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 10, 31)),
        billing.settings, TODAY)  # October, billed for real
    async with billing.engine.begin() as conn:  # the clerk parks one customer
        await conn.execute(text("update billing_profiles set parked_reason = 'Disputed "
                                "October invoice' where customer_id = :c"), {"c": parked})

    before = await every_table(billing)
    dry = command(everyone, dry_run=True)
    counts = await runs.process_selected(billing.uow, dry, billing.settings, TODAY)
    assert await every_table(billing) == before
    assert counts == {"documents": 2, "drafts": 1, "skipped": 1, "parked": 1, "missing": 1,
                      "new": 2}

    log = [e.payload.text for e in await outbox(billing, topics.JOBS_EVENTS)
           if e.type == "jobs.job.log" and e.job_id == dry.payload.run_id]
    name = {c: f"Acme {c.split(':')[0]}" for c in everyone}
    assert (f"Would create an invoice for {name[grows]}: 125.00 EUR net (+25.0 % vs 100.00)"
            in log)
    assert f"Would create an invoice for {name[new]}: 40.00 EUR net (new customer)" in log
    assert f"Would create a draft for {name[drafted]}: 30.00 EUR net (new customer)" in log
    assert (f"Skipped items with a total of 5.00 EUR (threshold 100.00 EUR) for {name[small]}"
            in log)
    assert (f"Missing: {name[gone]} was billed 50.00 EUR net in the previous period, nothing "
            "now") in log
    assert f"Parked: {name[parked]} left out (Disputed October invoice)" in log
    assert log[-1] == ("Dry run finished: 2 documents, 1 draft, 1 skipped, 1 parked, 2 new, "
                       "1 missing; would invoice 196.35 EUR; nothing was changed")

    csv = await api.get(f"/dry-runs/{dry.payload.run_id}/csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    rows = [line.split(",") for line in csv.text.splitlines()]
    assert rows[0][:4] == ["customer_id", "name", "currency", "outcome"]
    assert [grows, name[grows], "EUR", "invoice", "380", "1", "125.0000000000",
            "148.7500000000", "100.0000000000", "+25.0"][:9] == rows[1][:9]
    assert (await api.get(f"/dry-runs/{uuid.uuid4()}/csv")).status_code == 404

    # the real run does what the dry run said
    real = command(everyone)
    counts = await runs.process_selected(billing.uow, real, billing.settings, TODAY)
    assert (counts["documents_created"], counts["drafts_created"],
            counts["customers_skipped"]) == (2, 1, 1)
    issued = {e.payload.document.customer_id: e.payload.document.totals
              for e in await outbox(billing, topics.BILLING_INVOICES)
              if e.payload.run_id == real.payload.run_id}
    assert {c: t.line_total for c, t in issued.items()} == {grows: Decimal("125.00"),
                                                            new: Decimal("40.00")}
    assert sum(t.grand_total for t in issued.values()) == Decimal("196.35")
    real_log = [e.payload.text for e in await outbox(billing, topics.JOBS_EVENTS)
                if e.type == "jobs.job.log" and e.job_id == real.payload.run_id]
    assert f"Parked: {name[parked]} left out (Disputed October invoice)" in real_log
    async with billing.engine.connect() as conn:  # its November item waits
        assert await conn.scalar(text("select count(*) from billable_items where customer_id "
                                      "= :c and state = 'open'"), {"c": parked}) == 1
