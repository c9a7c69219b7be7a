"""Render issued documents: a batch of billing.invoices events becomes one rendering job.

1. Documents already stored (invoice id, the natural key) are not rendered again.
2. The rest are rendered in the worker processes, outside any transaction.
3. One transaction claims the events (inbox), stores the documents, publishes
   ``documents.rendered`` for the valid ones and the job's events, and links
   cancellations to the invoices they cancel. A redelivered batch finds its
   events claimed and its documents stored: nothing happens twice.

Job granularity: one RENDERING job per consumed batch that stores something, its
start, log lines and end committed with the documents it reports.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from affbill_contracts import topics
from affbill_contracts.billing import InvoiceCancelled, InvoiceIssued
from affbill_contracts.codec import encode
from affbill_contracts.documents import DocumentRendered
from affbill_contracts.envelope import Envelope
from affbill_contracts.invoices import DocumentType, InvoiceDocument
from affbill_contracts.jobs import JobKind, LogLevel
from affbill_documents.adapters import repository
from affbill_documents.adapters.renderer import Rendered
from affbill_documents.domain import documents as rules
from affbill_documents.domain.accounting import accounting_amounts
from affbill_runtime.db import UnitOfWork
from affbill_runtime.jobs import JobReporter
from affbill_runtime.messaging import apply_once
from affbill_runtime.metrics import DOCUMENTS_RENDERED
from affbill_runtime.rejected import Rejection, clean_reason, keep_rejected

SERVICE = "documents"
log = logging.getLogger("affbill.documents.rendering")
CONSUMER = "documents.billing.invoices"


class Renders(Protocol):
    async def render_many(self, docs: Sequence[InvoiceDocument]) -> list[Rendered]: ...


@dataclass(frozen=True)
class Issued:
    """A document billing issued, from either event type."""

    envelope: Envelope[Any]
    document: InvoiceDocument
    issued_by: str
    cancelled_invoice_id: uuid.UUID | None = None


def issued_documents(envelopes: Sequence[Envelope[Any]]) -> list[Issued]:
    out: list[Issued] = []
    for e in envelopes:
        p = e.payload
        if isinstance(p, InvoiceIssued):
            out.append(Issued(e, p.document, p.issued_by))
        elif isinstance(p, InvoiceCancelled):
            out.append(Issued(e, p.document, p.cancelled_by, p.cancelled_invoice_id))
    return out


def _row(item: Issued, r: Rendered, job_id: uuid.UUID) -> dict[str, Any]:
    doc = item.document
    preceding = doc.preceding_invoice
    return {
        "invoice_id": doc.invoice_id, "number": doc.number,
        "document_type": doc.document_type.value, "customer_id": doc.customer_id,
        "buyer_name": rules.customer_of(doc).name, "issue_date": doc.issue_date,
        "due_date": doc.due_date,
        "currency": doc.currency, "net_total": doc.totals.line_total,
        "tax_total": doc.totals.tax_total, "gross_total": doc.totals.grand_total,
        "amount_due": doc.totals.amount_due, "cancels_invoice_id": item.cancelled_invoice_id,
        "accounting": accounting_amounts(doc),
        "cancels_number": (preceding.number if preceding and preceding.cancelled
                           and doc.document_type is DocumentType.CREDIT_NOTE else None),
        "profile": r.profile, "pdf": r.pdf, "pdf_sha256": r.pdf_sha256, "pdf_size": len(r.pdf),
        "xml": r.xml, "xml_sha256": r.xml_sha256, "xml_size": len(r.xml), "valid": r.valid,
        "failed_rules": r.failed_rules, "findings": r.findings, "render_ms": round(r.render_ms),
        "validate_ms": round(r.validate_ms), "event_id": item.envelope.event_id,
        "issuing_job_id": item.envelope.job_id, "rendering_job_id": job_id,
        "e_invoice_format": r.e_invoice_format, "xrechnung": r.xrechnung,
        "xrechnung_sha256": r.xrechnung_sha256,
        "xrechnung_size": None if r.xrechnung is None else len(r.xrechnung),
    }


def _rendered_event(doc: InvoiceDocument, r: Rendered) -> DocumentRendered:
    return DocumentRendered(invoice_id=doc.invoice_id, number=doc.number,
                            customer_id=doc.customer_id, profile=r.profile,
                            pdf_sha256=r.pdf_sha256, pdf_size=len(r.pdf),
                            xml_sha256=r.xml_sha256, valid=True, failed_rules=[])


async def render_invoices(uow_factory: Callable[[], UnitOfWork], renderer: Renders,
                          envelopes: Sequence[Envelope[Any]]) -> dict[str, int]:
    items = issued_documents(envelopes)
    async with uow_factory() as uow:
        stored_before = await repository.existing(uow.session,
                                                  (i.document.invoice_id for i in items))
        duplicates = await _numbers_in_use(uow, items, stored_before)
    todo = list({i.document.invoice_id: i.document for i in items
                 if i.document.invoice_id not in stored_before
                 and i.envelope.event_id not in duplicates}.values())
    rendered = {r.invoice_id: r for r in await renderer.render_many(todo)}
    counts = {"rendered": 0, "failed_validation": 0}

    async def effect(uow: UnitOfWork, fresh: list[Envelope[Any]]) -> None:
        fresh_ids = {e.event_id for e in fresh}
        mine = [i for i in items if i.envelope.event_id in fresh_ids]
        first: dict[uuid.UUID, Issued] = {}
        for i in mine:
            if i.document.invoice_id in rendered:
                first.setdefault(i.document.invoice_id, i)
        job_id = uuid.uuid4()
        stored = await repository.store(uow.session, [
            _row(i, rendered[inv], job_id) for inv, i in first.items()])
        # a number another transaction stored meanwhile: refused like the others
        lost = set(first) - stored - await repository.existing(uow.session, set(first) - stored)
        duplicates.update({first[inv].envelope.event_id: f"number: {first[inv].document.number}"
                           " was taken meanwhile by another document" for inv in lost})
        first = {inv: i for inv, i in first.items() if inv not in lost}
        await _reject_duplicates(uow, [i for i in mine if i.envelope.event_id in duplicates],
                                 duplicates)
        if stored:
            _report(uow, job_id, [first[inv] for inv in first if inv in stored], rendered, counts)
        await repository.link_cancellations(
            uow.session, {i.document.invoice_id: i.cancelled_invoice_id for i in mine
                          if i.cancelled_invoice_id}, stored)

    await apply_once(uow_factory(), CONSUMER, [i.envelope for i in items], effect)
    for outcome, n in counts.items():
        DOCUMENTS_RENDERED.labels(outcome).inc(n)
    return counts


async def _numbers_in_use(uow: UnitOfWork, items: Sequence[Issued],
                          stored_before: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """{event id: reason} of documents whose number another document holds already (stored,
    or earlier in this batch): one number, one document in the invoice list."""
    new = [i for i in items if i.document.invoice_id not in stored_before]
    taken = await repository.numbers_taken(
        uow.session, {i.document.number: i.document.invoice_id for i in reversed(new)})
    reasons: dict[uuid.UUID, str] = {}
    for i in new:
        number, invoice_id = i.document.number, i.document.invoice_id
        holder = taken.setdefault(number, invoice_id)
        if holder != invoice_id:
            reasons[i.envelope.event_id] = (f"number: {number} is already the number of "
                                            f"invoice {holder}")
    return reasons


async def _reject_duplicates(uow: UnitOfWork, items: Sequence[Issued],
                             reasons: dict[uuid.UUID, str]) -> None:
    """Keep a refused document's event in rejected_messages (not rendered, not listed)."""
    for i in items:
        log.error("rejected message", extra={"topic": topics.BILLING_INVOICES,
                                             "reason": reasons[i.envelope.event_id]})
    await keep_rejected(await uow.driver_connection(), [
        Rejection(topics.BILLING_INVOICES, None, None, encode(i.envelope),
                  clean_reason(reasons[i.envelope.event_id])) for i in items])


def _report(uow: UnitOfWork, job_id: uuid.UUID, stored: list[Issued],
            rendered: dict[uuid.UUID, Rendered], counts: dict[str, int]) -> None:
    job = JobReporter(uow, SERVICE, job_id)
    issuers = sorted({i.issued_by for i in stored})
    issuing_jobs = sorted({str(i.envelope.job_id) for i in stored if i.envelope.job_id})
    job.started(JobKind.RENDERING, rules.rendering_title(len(stored), issuing_jobs),
                ", ".join(issuers))
    for item in stored:
        doc, r = item.document, rendered[item.document.invoice_id]
        if r.valid:
            counts["rendered"] += 1
            uow.publish(topics.DOCUMENTS_RENDERED, doc.customer_id,
                        Envelope.wrap(_rendered_event(doc, r), job_id=job_id))
            job.log(rules.rendered_line(doc.number, rules.customer_of(doc).name))
        else:
            counts["failed_validation"] += 1
            job.log(rules.failed_line(doc.number, r.failed_rules), LogLevel.ERROR)
    failed = sum(1 for i in stored if not rendered[i.document.invoice_id].valid)
    job.progress("documents", len(stored), len(stored), rendered=len(stored) - failed,
                 failed_validation=failed)
    job.finished(rules.rendering_outcome(failed), rendered=len(stored) - failed,
                 failed_validation=failed)
