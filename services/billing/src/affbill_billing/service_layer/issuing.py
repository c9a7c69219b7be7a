"""Create: a draft becomes an issued invoice; bulk issue as one job; cancellation.

All three take their numbers from the series' counter row locked in the issuing
transaction (gapless, like runs), publish InvoiceIssued / InvoiceCancelled through the
outbox to billing.invoices and write job-log lines in the same transaction. A single
Create or cancellation is a small job of its own whose id the caller gets back.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from affbill_billing.adapters import billable_items, profiles_repo, runs_repo
from affbill_billing.adapters.invoices import drafts as drafts_repo
from affbill_billing.adapters.invoices import issued as invoices
from affbill_billing.adapters.numbering import take_numbers
from affbill_billing.config import Settings
from affbill_billing.domain.approvals import issue_refusal
from affbill_billing.domain.billing_profile import Buyer, buyer_of
from affbill_billing.domain.cancellation import cancellation_lines, cancellation_type
from affbill_billing.domain.credit_notes import original_adjustments, original_lines
from affbill_billing.domain.customers import side_of
from affbill_billing.domain.drafts import Draft, DraftError
from affbill_billing.domain.invoice_lines import totals
from affbill_billing.domain.invoicing import InvoicePlan, basis, document_type
from affbill_billing.domain.payouts import TaxStatusMissing
from affbill_billing.domain.profiles import VatIdMissing
from affbill_billing.domain.wording import counted
from affbill_billing.service_layer import audit_trail
from affbill_billing.service_layer.documents import (
    PENDING_NUMBER,
    carried_over,
    created_line,
    numbered,
    snapshot,
    validated,
)
from affbill_billing.service_layer.drafts import UowFactory, locked_draft
from affbill_billing.service_layer.errors import InvalidDocument, NotFound, Refused
from affbill_billing.service_layer.rates import book_for
from affbill_contracts import topics
from affbill_contracts.billing import InvoiceCancelled, InvoiceIssued, IssueDrafts
from affbill_contracts.envelope import Envelope
from affbill_contracts.invoices import DocumentType, InvoiceDocument, PrecedingInvoice
from affbill_contracts.jobs import JobKind, JobStatus, LogLevel
from affbill_runtime.db import UnitOfWork
from affbill_runtime.inbox import claim
from affbill_runtime.jobs import JobReporter

SERVICE = "billing"
BULK_CONSUMER = "billing.issue_drafts"


async def _issue(uow: UnitOfWork, meta: drafts_repo.DraftRow, draft: Draft, user: str,
                 job: JobReporter, settings: Settings, today: dt.date) -> InvoiceDocument:
    """Issue a locked draft in the caller's transaction (threshold ignored: that is Create)."""
    s = uow.session
    approvals = await drafts_repo.approvers(s, meta.draft_id, meta.version)
    if refusal := issue_refusal(settings.four_eyes(), meta.created_by, approvals, user):
        raise Refused(refusal)
    if moved := await billable_items.restated(s, draft):
        raise Refused(f"{len(moved)} items of this draft were restated since they were put in "
                      "it: re-apply the line grouping (PATCH line_grouping) to bill the new "
                      "amounts, or discard the draft")
    try:
        draft.presets.issuable_treatment()
    except (VatIdMissing, TaxStatusMissing) as exc:  # never issued silently as domestic
        raise DraftError(f"presets.{exc.field}", exc.reason) from None
    plan = draft.plan(today)
    kind = document_type(basis(plan.totals), side_of(meta.customer_id))
    p = draft.presets
    try:
        issuer = await profiles_repo.issuer(s, p.seller_entity)
    except LookupError as exc:
        raise DraftError("presets.seller_entity", str(exc)) from None
    rates = await book_for(s, plan.currency, plan.issue_date, plan.period_end,
                           settings.rate_date_rule(issuer))
    unnumbered = validated(snapshot(
        meta.draft_id, PENDING_NUMBER, meta.customer_id, plan, buyer_of(p), settings,
        document_type=kind, notes=[p.intro_text, p.closing_text],
        buyer_reference=p.buyer_reference, issuer=issuer, rates=rates))
    try:
        numbering, counter = await take_numbers(s, draft.presets.number_series, 1,
                                                plan.issue_date.year)
    except LookupError:
        raise DraftError("number_series", f"no number series {draft.presets.number_series!r}"
                         ) from None
    number = numbering.format(counter, plan.issue_date)
    document = numbered(unnumbered, number)
    await invoices.issue_draft(s, meta.draft_id, document, plan, user, job.job_id)
    await billable_items.invoice_draft_items(s, meta.draft_id)
    uow.publish(topics.BILLING_INVOICES, meta.customer_id, Envelope.wrap(
        InvoiceIssued(document=document, issued_by=user), job_id=job.job_id))
    job.log(created_line(document))
    await audit_trail.invoice_issued(s, meta, draft, document, job.job_id, user)
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
        drafts = await invoices.existing_drafts(uow.session, draft_ids)
        if unknown := [str(d) for d in draft_ids if d not in drafts]:
            raise DraftError("draft_ids", f"unknown or no longer drafts: {', '.join(unknown[:5])}")
        JobReporter(uow, SERVICE, job_id).started(
            JobKind.BULK_ISSUE, f"Issue {counted(len(draft_ids), 'draft')}", user)
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
        if await runs_repo.processed(uow.session, BULK_CONSUMER, envelope.event_id):
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
            except (Refused, DraftError, NotFound, InvalidDocument) as exc:
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
            job.log(f"Bulk issue finished: {counted(counts['documents_created'], 'document')} "
                    f"created, {counted(counts['drafts_refused'], 'draft')} not issued")
            job.finished(JobStatus.SUCCEEDED_WITH_WARNINGS if counts["drafts_refused"]
                         else JobStatus.SUCCEEDED, **counts)
            await uow.commit()
    return counts


async def _issue_one(uow: UnitOfWork, draft_id: uuid.UUID, user: str, job: JobReporter,
                     settings: Settings, today: dt.date) -> bool:
    """False when this job issued it already (a redelivered command)."""
    if await invoices.issuing_job(uow.session, draft_id) == job.job_id:
        return False
    meta, draft = await locked_draft(uow.session, draft_id, None)
    await _issue(uow, meta, draft, user, job, settings, today)
    return True


async def cancel_invoice(uow_factory: UowFactory, invoice_id: uuid.UUID, user: str,
                         settings: Settings, today: dt.date | None = None
                         ) -> tuple[InvoiceDocument, uuid.UUID]:
    """Issue the cancellation document of an issued invoice; its items return to the
    generator as open. At most once: the original's row is locked and a unique index
    allows one cancellation per invoice."""
    today = today or dt.date.today()
    async with uow_factory() as uow:
        s = uow.session
        row = await invoices.lock_for_cancellation(s, invoice_id)
        if row is None:
            raise NotFound(f"No invoice {invoice_id}")
        if row.status == "cancelled":
            raise Refused("This invoice is already cancelled")
        if row.status != "issued":
            raise Refused(f"This invoice is {row.status}, not issued: discard a draft instead")
        if row.cancels_invoice_id is not None or row.credits_invoice_id is not None:
            raise Refused("A cancellation or credit note cannot be cancelled")
        if await invoices.credited_net(s, invoice_id):
            raise Refused("This invoice has credit notes: credit what is left with another "
                          "credit note instead of cancelling it")
        original = InvoiceDocument.model_validate(row.snapshot)
        series = await profiles_repo.correction_series(
            s, original.customer_id, "cancellation_series") or row.series
        document = await _cancellation(s, original, series, settings, today,
                                       suffixed=series == row.series)
        job = JobReporter(uow, SERVICE, uuid.uuid4())
        job.started(JobKind.CANCELLATION, f"Cancel {original.number}", user)
        await invoices.insert_cancellation(s, document, series, invoice_id, user,
                                           job.job_id)
        await billable_items.return_to_generator(s, invoice_id, original.customer_id)
        uow.publish(topics.BILLING_INVOICES, original.customer_id, Envelope.wrap(
            InvoiceCancelled(cancelled_invoice_id=invoice_id, cancelled_number=original.number,
                             document=document, cancelled_by=user), job_id=job.job_id))
        payee = (original.seller if original.document_type is DocumentType.SELF_BILLED
                 else original.buyer)  # a self-billed credit note's affiliate is its seller
        job.log(f"Document {document.number} created for {payee.name}: cancels "
                f"{original.number}")
        job.finished(JobStatus.SUCCEEDED, documents_created=1)
        await audit_trail.invoice_cancelled(s, original, document, job.job_id, user)
        await uow.commit()
    return document, job.job_id


async def _cancellation(s: AsyncSession, original: InvoiceDocument, series: str,
                        settings: Settings, today: dt.date, suffixed: bool = True
                        ) -> InvoiceDocument:
    lines = cancellation_lines(list(original_lines(original).values()))
    adjustments = tuple(replace(a, amount=-a.amount) for a in original_adjustments(original))
    cur = original.currency
    plan = InvoicePlan(cur, lines, totals(lines, cur, adjustments), today, today,
                       original.period_start, original.period_end, adjustments)
    # a cancellation states its VAT at the rate of the invoice it cancels
    rates = None if original.vat_accounting else await book_for(
        s, cur, today, original.period_end, settings.fx_rate_date)
    document = snapshot(uuid.uuid4(), PENDING_NUMBER, original.customer_id, plan, Buyer("-"),
                        settings, document_type=cancellation_type(original.document_type.value),
                        notes=[f"Cancellation of invoice {original.number}"
                               f" of {original.issue_date}."],
                        buyer_reference=original.buyer_reference,
                        preceding=PrecedingInvoice(number=original.number,
                                                   issue_date=original.issue_date),
                        rates=rates, fixed_rate=original.vat_accounting)
    document = validated(document.model_copy(update={
        **carried_over(original),
        "payment": document.payment.model_copy(update={
            "terms": f"Cancels invoice {original.number}; the amount is no longer due."})}))
    numbering, counter = await take_numbers(s, series, 1, today.year)
    return numbered(document, numbering.format(counter, today, cancellation=suffixed))
