"""Batch runs ("Process selected"): per customer, one transaction, per currency one document.

Idempotent by construction: the run's row records that it was asked for; each
customer's open items are locked (SKIP LOCKED: a concurrent run leaves them to
the one holding them) and leave the open state in the transaction that issues
their invoice. A redelivered or restarted run finds only what is still open,
so it completes what is missing and doubles nothing. A customer's documents wait
as 'pending' until the run numbers them, many per transaction, from the series'
counter row locked by that transaction: gapless, and one commit for many.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import orjson
from affbill_contracts import topics
from affbill_contracts.billing import InvoiceIssued, ProcessSelected
from affbill_contracts.envelope import Envelope
from affbill_contracts.invoices import InvoiceDocument
from affbill_contracts.jobs import JobKind, JobStatus, LogLevel
from affbill_runtime.db import UnitOfWork
from affbill_runtime.jobs import JobReporter
from sqlalchemy import text

from affbill_billing.adapters import drafts_repo
from affbill_billing.adapters.numbering import take_numbers
from affbill_billing.config import Settings
from affbill_billing.domain.dates import InvoiceDateRule
from affbill_billing.domain.drafts import Draft
from affbill_billing.domain.grouping import Item, LineGrouping
from affbill_billing.domain.invoicing import Terms, document_type, plan_invoice
from affbill_billing.domain.money import round_money
from affbill_billing.domain.profiles import TaxTreatment
from affbill_billing.domain.thresholds import bills_now
from affbill_billing.service_layer.documents import snapshot
from affbill_billing.service_layer.drafts import presets_of

SERVICE = "billing"

LOCK_ITEMS = text("""
select item_id, offer_id, offer_name, day, currency, units, revenue from billable_items
where customer_id = :customer and state = 'open' and draft_id is null
  and (cast(:items as uuid[]) is null or item_id = any(:items))
  and (cast(:period_end as date) is null or day <= :period_end)
order by day, offer_id for update skip locked
""")
PENDING = text("""
select invoice_id, customer_id, series, currency, issue_date, gross_total, snapshot
from invoices where run_id = :run and status = 'pending'
order by created_at, invoice_id limit 500 for update skip locked
""")
ISSUE = text("""
update invoices set number = :n, status = 'issued', issued_at = now(),
    snapshot = cast(:snap as jsonb) where invoice_id = :id
""")
PENDING_NUMBER = "(pending)"


async def process_selected(uow_factory: Callable[[], UnitOfWork], envelope: Envelope[ProcessSelected],
                           settings: Settings, today: dt.date | None = None) -> dict[str, Any]:
    run: ProcessSelected = envelope.payload
    job_id = envelope.job_id or run.run_id
    today = today or dt.date.today()
    async with uow_factory() as uow:
        fresh = (await uow.session.execute(text(
            "insert into runs (run_id, requested_by, status) values (:r, :by, 'running') "
            "on conflict (run_id) do nothing returning run_id"),
            {"r": run.run_id, "by": run.requested_by})).first()
        status = await uow.session.scalar(text("select status from runs where run_id = :r"),
                                          {"r": run.run_id})
        if status == "finished":
            return {"already_done": True}
        job = JobReporter(uow, SERVICE, job_id)
        if fresh:
            job.started(JobKind.BATCH_RUN, f"Process selected: {len(run.customer_ids)} customers, "
                        f"{len(run.item_ids)} items", run.requested_by)
        else:
            job.log("Run resumed after an interruption")
        await uow.commit()

    customers = await _customers(uow_factory, run)
    counts = {"documents_created": 0, "drafts_created": 0, "customers_skipped": 0}
    invoiced: dict[str, Decimal] = {}
    done = 0
    gate = asyncio.Semaphore(settings.run_concurrency)

    async def bill(customer: str) -> None:
        nonlocal done
        async with gate:  # customers are independent: their transactions overlap
            await _bill_customer(uow_factory, run, job_id, customer, settings, today, counts,
                                 invoiced)
            done += 1
            if done % 100 == 0 or done == len(customers):
                async with uow_factory() as uow:
                    JobReporter(uow, SERVICE, job_id).progress("customers", done, len(customers),
                                                               **counts)
                    await uow.commit()

    await asyncio.gather(*(bill(c) for c in customers))
    while await _issue_pending(uow_factory, run, job_id, counts, invoiced):
        pass
    async with uow_factory() as uow:
        job = JobReporter(uow, SERVICE, job_id)
        per_currency = ", ".join(f"{amount} {cur}" for cur, amount in sorted(invoiced.items()))
        drafts = counts["drafts_created"]
        job.log(f"Run finished: {counts['documents_created']} documents created, "
                + (f"{drafts} drafts created, " if drafts else "")
                + f"{counts['customers_skipped']} customers skipped"
                + (f"; invoiced {per_currency}" if per_currency else ""))
        job.finished(JobStatus.SUCCEEDED, **counts)
        await uow.session.execute(text(
            "update runs set status = 'finished', finished_at = now(), counts = :c "
            "where run_id = :r"), {"c": orjson.dumps(counts).decode(), "r": run.run_id})
        await uow.commit()
    return counts


async def _customers(uow_factory: Callable[[], UnitOfWork], run: ProcessSelected) -> list[str]:
    chosen = list(dict.fromkeys(run.customer_ids))
    if run.item_ids:
        async with uow_factory() as uow:
            owners = (await uow.session.execute(text(
                "select distinct customer_id from billable_items where item_id = any(:i)"),
                {"i": list(run.item_ids)})).scalars().all()
        chosen += [c for c in owners if c not in chosen]
    return chosen


async def _bill_customer(uow_factory: Callable[[], UnitOfWork], run: ProcessSelected,
                         job_id: uuid.UUID, customer: str, settings: Settings, today: dt.date,
                         counts: dict[str, int], invoiced: dict[str, Decimal]) -> None:
    whole_customer = customer in run.customer_ids
    async with uow_factory() as uow:
        job = JobReporter(uow, SERVICE, job_id)
        profile = (await uow.session.execute(text(
            "select p.*, c.name from billing_profiles p join customers c using (customer_id) "
            "where customer_id = :c"), {"c": customer})).mappings().first()
        if profile is None:
            job.log(f"No billing profile for {customer}: nothing billed", LogLevel.WARNING)
            await uow.commit()
            return
        rows = (await uow.session.execute(LOCK_ITEMS, {
            "customer": customer, "items": None if whole_customer else list(run.item_ids),
            "period_end": run.period_end})).all()
        by_currency: dict[str, list[Item]] = {}
        for r in rows:
            by_currency.setdefault(r.currency, []).append(
                Item(r.item_id, r.offer_id, r.offer_name, r.day, r.currency, r.units, r.revenue))
        terms = Terms(TaxTreatment(profile["tax_treatment"]), settings.domestic_vat_rate,
                      LineGrouping(profile["line_grouping"]),
                      InvoiceDateRule(profile["invoice_date_rule"]), profile["payment_days"])
        plans = []
        for currency, items in sorted(by_currency.items()):
            total = round_money(sum((i.revenue for i in items), Decimal(0)), currency)
            threshold = (profile["threshold_amount"]
                         if profile["threshold_currency"] in (None, currency) else None)
            if not bills_now(total, threshold):
                counts["customers_skipped"] += 1
                job.log(f"Skipped items with a total of {total} {currency} (threshold "
                        f"{round_money(threshold, currency)} {currency}) for {profile['name']}")
                continue
            plans.append((currency, items, plan_invoice(items, currency, terms, today)))
        for currency, items, plan in plans:
            invoice_id = uuid.uuid4()
            if profile["drafts_by_default"]:  # the clerk issues it from the drafts list
                draft = Draft.from_items(items, presets_of(profile), settings.domestic_vat_rate)
                await drafts_repo.insert(uow.session, invoice_id, customer, draft,
                                         run.requested_by, run.run_id)
                counts["drafts_created"] += 1
                job.log(f"Draft created for {profile['name']}")
                continue
            kind = document_type(plan.totals.net)  # a negative total is a credit note
            document = snapshot(invoice_id, PENDING_NUMBER, customer, plan, dict(profile), settings,
                                document_type=kind,
                                notes=[profile["intro_text"], profile["closing_text"]])
            await uow.session.execute(text("""
                insert into invoices (invoice_id, customer_id, series, status, document_type,
                    currency, issue_date, due_date, period_start, period_end, net_total, tax_total,
                    gross_total, snapshot, run_id)
                values (:id, :c, :s, 'pending', :type, :cur, :d, :due, :p1, :p2, :net, :tax,
                        :gross, cast(:snap as jsonb), :run)"""), {
                "id": invoice_id, "c": customer, "s": profile["number_series"], "cur": currency,
                "d": plan.issue_date, "due": plan.due_date, "p1": plan.period_start,
                "p2": plan.period_end, "net": plan.totals.net, "tax": plan.totals.tax,
                "gross": plan.totals.gross, "snap": document.model_dump_json(),
                "run": run.run_id, "type": kind})
            await uow.session.execute(text(
                "update billable_items set state = 'invoiced', invoice_id = :id, updated_at = now() "
                "where item_id = any(:items)"), {"id": invoice_id, "items": [i.item_id for i in items]})
        await uow.commit()


async def _issue_pending(uow_factory: Callable[[], UnitOfWork], run: ProcessSelected,
                         job_id: uuid.UUID, counts: dict[str, int],
                         invoiced: dict[str, Decimal]) -> int:
    """Number and issue a batch of this run's pending invoices in one transaction.

    The series' counter row is locked once per batch instead of once per invoice, so
    one commit issues many documents; numbers stay gapless (a rollback returns them all).
    """
    async with uow_factory() as uow:
        pending = (await uow.session.execute(PENDING, {"run": run.run_id})).all()
        if not pending:
            return 0
        job = JobReporter(uow, SERVICE, job_id)
        for series in sorted({p.series for p in pending}):
            batch = [p for p in pending if p.series == series]
            numbering, first = await take_numbers(uow.session, series, len(batch))
            for offset, p in enumerate(batch):
                number = numbering.format(first + offset, p.issue_date)
                document = InvoiceDocument.model_validate({
                    **p.snapshot, "number": number,
                    "payment": {**p.snapshot["payment"], "reference": number}})
                await uow.session.execute(ISSUE, {"n": number, "id": p.invoice_id,
                                                  "snap": document.model_dump_json()})
                uow.publish(topics.BILLING_INVOICES, p.customer_id, Envelope.wrap(
                    InvoiceIssued(document=document, run_id=run.run_id,
                                  issued_by=run.requested_by), job_id=job_id))
                job.log(f"Document {number} created for {document.buyer.name}")
                counts["documents_created"] += 1
                invoiced[p.currency] = invoiced.get(p.currency, Decimal(0)) + p.gross_total
        await uow.commit()
        return len(pending)
