"""Create and cancellation: a draft's row becomes the issued invoice; a cancellation
document is inserted issued and its original marked cancelled, in one transaction."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from affbill_billing.domain.invoicing import InvoicePlan
from affbill_contracts.invoices import InvoiceDocument

ISSUE_DRAFT = text("""
update invoices set number = :n, status = 'issued', document_type = :type,
    issue_date = :d, due_date = :due, period_start = :p1, period_end = :p2,
    net_total = :net, tax_total = :tax, gross_total = :gross,
    snapshot = cast(:snap as jsonb), issued_at = now(), issued_by = :by, job_id = :job,
    updated_at = now()
where invoice_id = :id""")
INSERT_CANCELLATION = text("""
insert into invoices (invoice_id, customer_id, number, series, status, document_type,
    currency, issue_date, due_date, period_start, period_end, net_total, tax_total,
    gross_total, snapshot, issued_at, issued_by, job_id, cancels_invoice_id)
values (:id, :c, :n, :s, 'issued', :type, :cur, :d, :d, :p1, :p2, :net, :tax, :gross,
        cast(:snap as jsonb), now(), :by, :job, :orig)""")


async def issue_draft(session: AsyncSession, draft_id: uuid.UUID, document: InvoiceDocument,
                      plan: InvoicePlan, user: str, job_id: uuid.UUID) -> None:
    """The draft's row becomes the issued invoice (same id), numbered, with its snapshot."""
    await session.execute(ISSUE_DRAFT, {
        "n": document.number, "type": document.document_type.value, "d": plan.issue_date,
        "due": plan.due_date, "p1": plan.period_start, "p2": plan.period_end,
        "net": plan.totals.net, "tax": plan.totals.tax, "gross": plan.totals.gross,
        "snap": document.model_dump_json(), "by": user, "job": job_id, "id": draft_id})


async def existing_drafts(session: AsyncSession, draft_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    return set((await session.execute(text(
        "select invoice_id from invoices where invoice_id = any(:i) and status = 'draft'"),
        {"i": draft_ids})).scalars())


async def issuing_job(session: AsyncSession, draft_id: uuid.UUID) -> uuid.UUID | None:
    """The job that issued this former draft (None while it is a draft)."""
    return await session.scalar(text(
        "select job_id from invoices where invoice_id = :d and status <> 'draft'"),
        {"d": draft_id})


async def lock_for_cancellation(session: AsyncSession, invoice_id: uuid.UUID) -> Any:
    """The invoice's row, locked: one cancellation at a time (and a unique index: one ever)."""
    return (await session.execute(text(
        "select customer_id, status, series, snapshot, cancels_invoice_id, credits_invoice_id "
        "from invoices "
        "where invoice_id = :id for update"), {"id": invoice_id})).first()


async def insert_cancellation(session: AsyncSession, document: InvoiceDocument, series: str,
                              original_id: uuid.UUID, user: str, job_id: uuid.UUID) -> None:
    """Write the cancellation document, issued, and mark its original cancelled."""
    await session.execute(INSERT_CANCELLATION, {
        "id": document.invoice_id, "c": document.customer_id, "n": document.number,
        "s": series, "type": document.document_type.value, "cur": document.currency,
        "d": document.issue_date, "p1": document.period_start, "p2": document.period_end,
        "net": document.totals.line_total, "tax": document.totals.tax_total,
        "gross": document.totals.grand_total, "snap": document.model_dump_json(),
        "by": user, "job": job_id, "orig": original_id})
    await session.execute(text(
        "update invoices set status = 'cancelled', cancelled_at = now(), cancelled_by = :by, "
        "updated_at = now() where invoice_id = :id"), {"by": user, "id": original_id})


INSERT_CREDIT_NOTE = text("""
insert into invoices (invoice_id, customer_id, number, series, status, document_type,
    currency, issue_date, due_date, period_start, period_end, net_total, tax_total,
    gross_total, snapshot, issued_at, issued_by, job_id, credits_invoice_id)
values (:id, :c, :n, :s, 'issued', :type, :cur, :d, :d, :p1, :p2, :net, :tax, :gross,
        cast(:snap as jsonb), now(), :by, :job, :orig)""")


async def credited_net(session: AsyncSession, invoice_id: uuid.UUID) -> Any:
    """What the credit notes against an invoice credited so far (net, booked negative)."""
    return await session.scalar(text(
        "select coalesce(sum(net_total), 0) from invoices where credits_invoice_id = :id"),
        {"id": invoice_id})


async def insert_credit_note(session: AsyncSession, document: InvoiceDocument, series: str,
                             original_id: uuid.UUID, user: str, job_id: uuid.UUID) -> None:
    """Write a partial credit note, issued; its invoice stays issued."""
    await session.execute(INSERT_CREDIT_NOTE, {
        "id": document.invoice_id, "c": document.customer_id, "n": document.number,
        "s": series, "type": document.document_type.value, "cur": document.currency,
        "d": document.issue_date, "p1": document.period_start, "p2": document.period_end,
        "net": document.totals.line_total, "tax": document.totals.tax_total,
        "gross": document.totals.grand_total, "snap": document.model_dump_json(),
        "by": user, "job": job_id, "orig": original_id})
