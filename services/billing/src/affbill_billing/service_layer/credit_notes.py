"""A partial credit note against an issued invoice, for chosen lines or an amount.

Numbered from the invoice's series (with its correction suffix, like a cancellation) in
the transaction that locks the invoice's row, so two credit notes never credit more than
the invoice's net total together. Published as InvoiceIssued (type 381 with the billing
reference BG-3 to the invoice) through the outbox; its items stay invoiced.
"""

from __future__ import annotations

import datetime as dt
import uuid

from affbill_billing.adapters import profiles_repo
from affbill_billing.adapters.invoices import issued as invoices
from affbill_billing.adapters.numbering import take_numbers
from affbill_billing.config import Settings
from affbill_billing.domain.billing_profile import Buyer
from affbill_billing.domain.credit_notes import CreditRequest, check_within, credit_lines
from affbill_billing.domain.fx import RateBook
from affbill_billing.domain.invoice_lines import totals
from affbill_billing.domain.invoicing import InvoicePlan
from affbill_billing.service_layer import audit_trail
from affbill_billing.service_layer.documents import (
    PENDING_NUMBER,
    carried_over,
    numbered,
    snapshot,
    validated,
)
from affbill_billing.service_layer.drafts import UowFactory
from affbill_billing.service_layer.errors import NotFound, Refused
from affbill_billing.service_layer.rates import book_for
from affbill_contracts import topics
from affbill_contracts.billing import InvoiceIssued
from affbill_contracts.envelope import Envelope
from affbill_contracts.invoices import DocumentType, InvoiceDocument, PrecedingInvoice
from affbill_contracts.jobs import JobKind, JobStatus
from affbill_runtime.jobs import JobReporter

SERVICE = "billing"
TERMS = "Credit note: the amount is credited to your account or refunded; nothing to pay."


def _document(original: InvoiceDocument, plan: InvoicePlan, number: str, settings: Settings,
              reason: str | None, rates: RateBook | None = None) -> InvoiceDocument:
    """The credit note; its VAT in the accounting currency at the invoice's rate."""
    notes = [f"Credit note for invoice {original.number} of {original.issue_date}.", reason]
    doc = snapshot(uuid.uuid4(), number, original.customer_id, plan, Buyer("-"), settings,
                   document_type="381", notes=notes, buyer_reference=original.buyer_reference,
                   preceding=PrecedingInvoice(number=original.number,
                                              issue_date=original.issue_date, cancelled=False),
                   rates=rates, fixed_rate=original.vat_accounting)
    return doc.model_copy(update={
        **carried_over(original),
        "payment": doc.payment.model_copy(update={"terms": TERMS})})


async def credit_invoice(uow_factory: UowFactory, invoice_id: uuid.UUID,
                         request: CreditRequest, user: str, settings: Settings,
                         today: dt.date | None = None) -> tuple[InvoiceDocument, uuid.UUID]:
    """Issue a credit note (381, booked negative) against an issued invoice."""
    today = today or dt.date.today()
    async with uow_factory() as uow:
        s = uow.session
        row = await invoices.lock_for_cancellation(s, invoice_id)
        if row is None:
            raise NotFound(f"No invoice {invoice_id}")
        original = InvoiceDocument.model_validate(row.snapshot)
        if row.status != "issued":
            raise Refused(f"This invoice is {row.status}, not issued: nothing to credit")
        if original.document_type is not DocumentType.INVOICE:
            raise Refused("Only an invoice (380) can be credited")
        lines = credit_lines(original, request)
        plan = InvoicePlan(original.currency, lines, totals(lines, original.currency), today,
                           today, original.period_start, original.period_end)
        check_within(original, await invoices.credited_net(s, invoice_id), plan.totals.net)
        rates = None if original.vat_accounting else await book_for(
            s, plan.currency, today, plan.period_end, settings.fx_rate_date)
        unnumbered = validated(_document(original, plan, PENDING_NUMBER, settings,
                                         request.reason, rates))
        series = await profiles_repo.correction_series(
            s, original.customer_id, "credit_note_series") or row.series
        numbering, counter = await take_numbers(s, series, 1, today.year)
        number = numbering.format(counter, today, cancellation=series == row.series)
        document = numbered(unnumbered, number)
        job = JobReporter(uow, SERVICE, uuid.uuid4())
        job.started(JobKind.CREDIT_NOTE, f"Credit note for {original.number}", user)
        await invoices.insert_credit_note(s, document, series, invoice_id, user, job.job_id)
        uow.publish(topics.BILLING_INVOICES, original.customer_id, Envelope.wrap(
            InvoiceIssued(document=document, issued_by=user), job_id=job.job_id))
        job.log(f"Document {number} created for {original.buyer.name}: credits "
                f"{original.number}")
        job.finished(JobStatus.SUCCEEDED, documents_created=1)
        await audit_trail.credit_note_issued(s, original, document, job.job_id, user)
        await uow.commit()
    return document, job.job_id
