"""Read side: the invoice list with its filters, one document's metadata, its bytes."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from affbill_contracts.invoices import DocumentType
from affbill_documents.domain.documents import DocumentStatus

METADATA = """
invoice_id, number, document_type, customer_id, buyer_name, issue_date, due_date, currency,
net_total, tax_total, gross_total, amount_due, cancels_invoice_id, cancels_number,
cancelled_by_invoice_id, profile, pdf_sha256, pdf_size, xml_sha256, xml_size, valid,
failed_rules, render_ms, validate_ms, event_id, issuing_job_id, rendering_job_id, rendered_at,
e_invoice_format, xrechnung_sha256, xrechnung_size, accounting
"""
CREDIT_NOTE = DocumentType.CREDIT_NOTE.value
STATUS = {
    DocumentStatus.ISSUED: f"not (document_type = '{CREDIT_NOTE}' and cancels_number is not null) "
                           "and cancelled_by_invoice_id is null",
    DocumentStatus.CANCELLED: "cancelled_by_invoice_id is not null",
    DocumentStatus.CANCELLATION: f"document_type = '{CREDIT_NOTE}' and cancels_number is not null",
}
FILTER = """
    (cast(:customer_id as text) is null or customer_id = :customer_id)
    and (cast(:date_from as date) is null or issue_date >= :date_from)
    and (cast(:date_to as date) is null or issue_date <= :date_to)
    and (cast(:number as text) is null or number ilike '%' || :number || '%' escape '\\')
    and (cast(:currency as text) is null or currency = :currency)
    and (cast(:attention as boolean) is null or valid = not :attention)
"""


@dataclass(frozen=True)
class InvoiceFilter:
    customer_id: str | None = None
    status: DocumentStatus | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    number: str | None = None  # part of the number
    currency: str | None = None
    attention: bool | None = None  # true: only documents that failed validation

    def params(self) -> dict[str, Any]:
        number = self.number
        if number is not None:
            number = number.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return {"customer_id": self.customer_id, "date_from": self.date_from,
                "date_to": self.date_to, "number": number, "currency": self.currency,
                "attention": self.attention}


async def invoice_list(engine: AsyncEngine, f: InvoiceFilter, limit: int, offset: int
                       ) -> tuple[list[dict[str, Any]], int]:
    where = FILTER + (f" and {STATUS[f.status]}" if f.status else "")
    async with engine.connect() as conn:
        total = await conn.scalar(text(f"select count(*) from documents where {where}"),
                                  f.params())
        rows = await conn.execute(text(
            f"select {METADATA} from documents where {where} "
            "order by issue_date desc, number desc limit :limit offset :offset"),
            {**f.params(), "limit": limit, "offset": offset})
        return [dict(r) for r in rows.mappings()], int(total or 0)


async def invoice(engine: AsyncEngine, invoice_id: uuid.UUID) -> dict[str, Any] | None:
    async with engine.connect() as conn:
        row = (await conn.execute(text(
            f"select {METADATA}, findings from documents where invoice_id = :id"),
            {"id": invoice_id})).mappings().first()
    return dict(row) if row else None


async def document_file(engine: AsyncEngine, invoice_id: uuid.UUID, kind: str
                        ) -> tuple[bytes | None, str | None, str] | None:
    """(bytes, sha256, number) of the PDF, the XML or the XRechnung XML; None when no
    document is stored, (None, None, number) when it has no XRechnung XML."""
    column = {"pdf": "pdf", "xml": "xml", "xrechnung": "xrechnung"}[kind]
    async with engine.connect() as conn:
        row = (await conn.execute(text(
            f"select {column} as data, {column}_sha256 as sha, number from documents "
            "where invoice_id = :id"), {"id": invoice_id})).first()
    if row is None:
        return None
    return (None if row.data is None else bytes(row.data)), row.sha, row.number
