"""Create: a draft becomes an issued invoice; bulk issue as one job; cancellation.

All three take their numbers from the series' counter row locked in the issuing
transaction (gapless, like runs), publish InvoiceIssued / InvoiceCancelled through the
outbox to billing.invoices and write job-log lines in the same transaction. A single
Create or cancellation is a small job of its own whose id the caller gets back.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from affbill_billing.adapters import drafts_repo as repo
from affbill_billing.adapters.numbering import take_numbers
from affbill_billing.config import Settings
from affbill_billing.domain.approvals import issue_refusal
from affbill_billing.domain.cancellation import cancellation_lines, cancellation_type
from affbill_billing.domain.drafts import Draft, DraftError
from affbill_billing.domain.invoice_lines import Line, Vat, totals
from affbill_billing.domain.invoicing import InvoicePlan, document_type
from affbill_billing.service_layer.documents import snapshot
from affbill_billing.service_layer.drafts import UowFactory, locked_draft
from affbill_billing.service_layer.errors import NotFound, Refused
from affbill_contracts import topics
from affbill_contracts.billing import InvoiceCancelled, InvoiceIssued, IssueDrafts
from affbill_contracts.envelope import Envelope
from affbill_contracts.invoices import InvoiceDocument, PrecedingInvoice
from affbill_contracts.jobs import JobKind, JobStatus, LogLevel
from affbill_runtime.db import UnitOfWork
from affbill_runtime.inbox import claim
from affbill_runtime.jobs import JobReporter

SERVICE = "billing"
BULK_CONSUMER = "billing.issue_drafts"


async def _issue(uow: UnitOfWork, meta: repo.DraftRow, draft: Draft, user: str,
                 job: JobReporter, settings: Settings, today: dt.date) -> InvoiceDocument:
    """Issue a locked draft in the caller's transaction (threshold ignored: that is Create)."""
    s = uow.session
    approvals = await repo.approvers(s, meta.draft_id, meta.version)
    if refusal := issue_refusal(settings.four_eyes(), meta.created_by, approvals, user):
        raise Refused(refusal)
    if moved := await repo.restated(s, draft):
        raise Refused(f"{len(moved)} items of this draft were restated since they were put in "
                      "it: re-apply the line grouping (PATCH line_grouping) to bill the new "
                      "amounts, or discard the draft")
    plan = draft.plan(today)
    kind = document_type(plan.totals.net)
    try:
        numbering, counter = await take_numbers(s, draft.presets.number_series, 1)
    except LookupError:
        raise DraftError("number_series", f"no number series {draft.presets.number_series!r}"
                         ) from None
    number = numbering.format(counter, plan.issue_date)
    p = draft.presets
    document = snapshot(meta.draft_id, number, meta.customer_id, plan, asdict(p), settings,
                        document_type=kind, notes=[p.intro_text, p.closing_text],
                        buyer_reference=p.buyer_reference)
    await s.execute(text("""
        update invoices set number = :n, status = 'issued', document_type = :type,
            issue_date = :d, due_date = :due, period_start = :p1, period_end = :p2,
            net_total = :net, tax_total = :tax, gross_total = :gross,
            snapshot = cast(:snap as jsonb), issued_at = now(), issued_by = :by, job_id = :job,
            updated_at = now()
        where invoice_id = :id"""), {
        "n": number, "type": kind, "d": plan.issue_date, "due": plan.due_date,
        "p1": plan.period_start, "p2": plan.period_end, "net": plan.totals.net,
        "tax": plan.totals.tax, "gross": plan.totals.gross, "snap": document.model_dump_json(),
        "by": user, "job": job.job_id, "id": meta.draft_id})
    await s.execute(text(
        "update billable_items set state = 'invoiced', invoice_id = :id, draft_id = null, "
        "updated_at = now() where draft_id = :id"), {"id": meta.draft_id})
    uow.publish(topics.BILLING_INVOICES, meta.customer_id, Envelope.wrap(
        InvoiceIssued(document=document, issued_by=user), job_id=job.job_id))
    job.log(f"Document {number} created for {document.buyer.name}")
    return document


async def issue_draft(uow_factory: UowFactory, draft_id: uuid.UUID, version: int, user: str,
                      settings: Settings, today: dt.date | None = None
                      ) -> tuple[InvoiceDocument, uuid.UUID]:
    """Create: issue one draft (the version the clerk saw) as a small job of its own."""
    async with uow_factory() as uow:
        meta, draft = await locked_draft(uow.session, draft_id, version)
        job = JobReporter(uow, SERVICE, uuid.uuid4())
        job.started(JobKind.ISSUE, f"Create invoice for {draft.presets.billing_name}", user)
        document = await _issue(uow, meta, draft, user, job, settings, today or dt.date.today())
        job.finished(JobStatus.SUCCEEDED, documents_created=1)
        await uow.commit()
    return document, job.job_id


async def request_bulk_issue(uow_factory: UowFactory, draft_ids: list[uuid.UUID], user: str
                             ) -> uuid.UUID:
    """Bulk issue as one job: the job starts now, the IssueDrafts command does the work."""
    draft_ids = list(dict.fromkeys(draft_ids))
    job_id = uuid.uuid4()
    async with uow_factory() as uow:
        drafts = set((await uow.session.execute(text(
            "select invoice_id from invoices where invoice_id = any(:i) and status = 'draft'"),
            {"i": draft_ids})).scalars())
        if unknown := [str(d) for d in draft_ids if d not in drafts]:
            raise DraftError("draft_ids", f"unknown or no longer drafts: {', '.join(unknown[:5])}")
        JobReporter(uow, SERVICE, job_id).started(
            JobKind.BULK_ISSUE, f"Issue {len(draft_ids)} drafts", user)
        uow.publish(topics.BILLING_REQUESTS, str(job_id), Envelope.wrap(
            IssueDrafts(draft_ids=draft_ids, requested_by=user), job_id=job_id))
        await uow.commit()
    return job_id


async def issue_drafts(uow_factory: UowFactory, envelope: Envelope[IssueDrafts],
                       settings: Settings, today: dt.date | None = None) -> dict[str, Any]:
    """The bulk-issue job: each draft in its own transaction; a draft that cannot be issued
    (approvals missing, restated items, gone) is logged as a warning and the job goes on.
    A redelivered command skips what this job already issued and finishes once."""
    command, job_id = envelope.payload, envelope.job_id or envelope.event_id
    today = today or dt.date.today()
    async with uow_factory() as uow:
        if await uow.session.scalar(text(
                "select 1 from inbox where consumer = :c and event_id = :e"),
                {"c": BULK_CONSUMER, "e": envelope.event_id}):
            return {"already_done": True}
    counts = {"documents_created": 0, "drafts_refused": 0}
    for n, draft_id in enumerate(command.draft_ids, start=1):
        refusal = None
        async with uow_factory() as uow:
            try:
                if await _issue_one(uow, draft_id, command.requested_by,
                                    JobReporter(uow, SERVICE, job_id), settings, today):
                    counts["documents_created"] += 1
                await uow.commit()
            except (Refused, DraftError, NotFound) as exc:
                refusal = str(exc)  # nothing of this draft's transaction is kept
        if refusal or n % 50 == 0 or n == len(command.draft_ids):
            async with uow_factory() as uow:
                job = JobReporter(uow, SERVICE, job_id)
                if refusal:
                    counts["drafts_refused"] += 1
                    job.log(f"Draft {draft_id} not issued: {refusal}", LogLevel.WARNING)
                job.progress("drafts", n, len(command.draft_ids), **counts)
                await uow.commit()
    async with uow_factory() as uow:
        if await claim(uow.session, BULK_CONSUMER, [envelope.event_id]):
            job = JobReporter(uow, SERVICE, job_id)
            job.log(f"Bulk issue finished: {counts['documents_created']} documents created, "
                    f"{counts['drafts_refused']} drafts not issued")
            job.finished(JobStatus.SUCCEEDED_WITH_WARNINGS if counts["drafts_refused"]
                         else JobStatus.SUCCEEDED, **counts)
            await uow.commit()
    return counts


async def _issue_one(uow: UnitOfWork, draft_id: uuid.UUID, user: str, job: JobReporter,
                     settings: Settings, today: dt.date) -> bool:
    """False when this job issued it already (a redelivered command)."""
    issued_by = await uow.session.scalar(text(
        "select job_id from invoices where invoice_id = :d and status <> 'draft'"),
        {"d": draft_id})
    if issued_by == job.job_id:
        return False
    meta, draft = await locked_draft(uow.session, draft_id, None)
    await _issue(uow, meta, draft, user, job, settings, today)
    return True


RETURN_ITEMS = [
    # an item whose (customer, offer, day, currency) has an open item again (a restatement
    # adjustment) merges into it: one open item per key, open + invoiced = the source
    text("""
    with returned as (
        select item_id, customer_id, offer_id, day, currency, units, revenue
        from billable_items where invoice_id = :id and state = 'invoiced'),
    merged as (
        update billable_items o set revenue = o.revenue + r.revenue, units = o.units + r.units,
            updated_at = now()
        from returned r
        where o.state = 'open' and (o.customer_id, o.offer_id, o.day, o.currency)
            = (r.customer_id, r.offer_id, r.day, r.currency)
        returning r.item_id)
    delete from billable_items where item_id in (select item_id from merged)"""),
    text("update billable_items set state = 'open', invoice_id = null, updated_at = now() "
         "where invoice_id = :id and state = 'invoiced'"),
    text("delete from billable_items where state = 'open' and draft_id is null "
         "and revenue = 0 and units = 0 and customer_id = :customer"),
]


async def cancel_invoice(uow_factory: UowFactory, invoice_id: uuid.UUID, user: str,
                         settings: Settings, today: dt.date | None = None
                         ) -> tuple[InvoiceDocument, uuid.UUID]:
    """Issue the cancellation document of an issued invoice; its items return to the
    generator as open. At most once: the original's row is locked and a unique index
    allows one cancellation per invoice."""
    today = today or dt.date.today()
    async with uow_factory() as uow:
        s = uow.session
        row = (await s.execute(text(
            "select customer_id, status, series, snapshot, cancels_invoice_id from invoices "
            "where invoice_id = :id for update"), {"id": invoice_id})).first()
        if row is None:
            raise NotFound(f"No invoice {invoice_id}")
        if row.status == "cancelled":
            raise Refused("This invoice is already cancelled")
        if row.status != "issued":
            raise Refused(f"This invoice is {row.status}, not issued: discard a draft instead")
        if row.cancels_invoice_id is not None:
            raise Refused("A cancellation document cannot be cancelled")
        original = InvoiceDocument.model_validate(row.snapshot)
        document = await _cancellation(s, original, row.series, settings, today)
        job = JobReporter(uow, SERVICE, uuid.uuid4())
        job.started(JobKind.CANCELLATION, f"Cancel {original.number}", user)
        await s.execute(text("""
            insert into invoices (invoice_id, customer_id, number, series, status, document_type,
                currency, issue_date, due_date, period_start, period_end, net_total, tax_total,
                gross_total, snapshot, issued_at, issued_by, job_id, cancels_invoice_id)
            values (:id, :c, :n, :s, 'issued', :type, :cur, :d, :d, :p1, :p2, :net, :tax, :gross,
                    cast(:snap as jsonb), now(), :by, :job, :orig)"""), {
            "id": document.invoice_id, "c": original.customer_id, "n": document.number,
            "s": row.series, "type": document.document_type.value, "cur": document.currency,
            "d": document.issue_date, "p1": document.period_start, "p2": document.period_end,
            "net": document.totals.line_total, "tax": document.totals.tax_total,
            "gross": document.totals.grand_total, "snap": document.model_dump_json(),
            "by": user, "job": job.job_id, "orig": invoice_id})
        await s.execute(text(
            "update invoices set status = 'cancelled', cancelled_at = now(), cancelled_by = :by, "
            "updated_at = now() where invoice_id = :id"), {"by": user, "id": invoice_id})
        for statement in RETURN_ITEMS:
            await s.execute(statement, {"id": invoice_id, "customer": original.customer_id})
        uow.publish(topics.BILLING_INVOICES, original.customer_id, Envelope.wrap(
            InvoiceCancelled(cancelled_invoice_id=invoice_id, cancelled_number=original.number,
                             document=document, cancelled_by=user), job_id=job.job_id))
        job.log(f"Document {document.number} created for {original.buyer.name}: cancels "
                f"{original.number}")
        job.finished(JobStatus.SUCCEEDED, documents_created=1)
        await uow.commit()
    return document, job.job_id


async def _cancellation(s: AsyncSession, original: InvoiceDocument, series: str,
                        settings: Settings, today: dt.date) -> InvoiceDocument:
    reasons = {(g.vat_category.value, g.vat_rate): g.exemption_reason
               for g in original.tax_breakdown}
    lines = cancellation_lines([
        Line(line.description, line.quantity, line.unit_price,
             Vat(line.vat_category.value, line.vat_rate,
                 reasons.get((line.vat_category.value, line.vat_rate))),
             line.unit_code, line.period_start, line.period_end, tuple(line.item_ids))
        for line in original.lines])
    cur = original.currency
    plan = InvoicePlan(cur, lines, totals(lines, cur), today, today, original.period_start,
                       original.period_end)
    numbering, counter = await take_numbers(s, series, 1)
    number = numbering.format(counter, today, cancellation=True)
    document = snapshot(uuid.uuid4(), number, original.customer_id, plan, {"billing_name": "-"},
                        settings, document_type=cancellation_type(original.document_type.value),
                        notes=[f"Cancellation of invoice {original.number}"
                               f" of {original.issue_date}."],
                        buyer_reference=original.buyer_reference,
                        preceding=PrecedingInvoice(number=original.number,
                                                   issue_date=original.issue_date))
    return document.model_copy(update={
        "buyer": original.buyer, "seller": original.seller,
        "e_invoice_format": original.e_invoice_format,
        "payment": document.payment.model_copy(update={
            "terms": f"Cancels invoice {original.number}; the amount is no longer due."})})
