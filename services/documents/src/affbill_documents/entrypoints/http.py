"""HTTP routes of the documents service: the invoice list, metadata, PDF, XML and
XRechnung downloads, and a draft's preview PDF."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response
from fastapi.exceptions import RequestValidationError

from affbill_contracts.bounds import MAX_OFFSET
from affbill_contracts.invoices import InvoiceDocument
from affbill_contracts.wire import answers, jsonable
from affbill_documents.adapters import queries
from affbill_documents.adapters.pdf import PdfMaker
from affbill_documents.adapters.renderer import preview_pdf
from affbill_documents.domain.documents import DocumentStatus, status_of
from affbill_documents.domain.printing import amount
from affbill_documents.entrypoints import views_api as v
from affbill_runtime.runtime import Runtime

MONEY_FIELDS = ("net_total", "tax_total", "gross_total", "amount_due")
MEDIA = {"pdf": "application/pdf", "xml": "application/xml", "xrechnung": "application/xml"}


def _item(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in MONEY_FIELDS:
            out[key] = amount(Decimal(value), row["currency"])
        elif isinstance(value, uuid.UUID | dt.date):
            out[key] = jsonable(value)
        else:
            out[key] = value
    out["status"] = status_of(row["document_type"], row["cancels_number"],
                              row["cancelled_by_invoice_id"]).value
    out["needs_attention"] = not row["valid"]
    out["pdf_url"] = f"/invoices/{row['invoice_id']}/pdf"
    out["xml_url"] = f"/invoices/{row['invoice_id']}/xml"
    out["xrechnung_url"] = (f"/invoices/{row['invoice_id']}/xrechnung"
                            if row["xrechnung_sha256"] else None)
    return out


def build_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["documents"])

    @router.get("/invoices", **answers(v.DocumentPage))
    async def invoice_list(
            customer_id: str | None = None, status: DocumentStatus | None = None,
            date_from: dt.date | None = None, date_to: dt.date | None = None,
            number: Annotated[str | None, Query(max_length=100)] = None,
            currency: Annotated[str | None, Query(pattern="^[A-Z]{3}$")] = None,
            needs_attention: bool | None = None,
            limit: Annotated[int, Query(ge=1, le=500)] = 50,
            offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> dict[str, Any]:
        if date_from and date_to and date_from > date_to:
            raise RequestValidationError([{"loc": ("query", "date_to"),
                                           "msg": "date_to is before date_from"}])
        f = queries.InvoiceFilter(customer_id, status, date_from, date_to, number, currency,
                                  needs_attention)
        rows, total = await queries.invoice_list(runtime.engine, f, limit, offset)
        return {"items": [_item(r) for r in rows], "total": total, "limit": limit,
                "offset": offset}

    @router.get("/invoices/{invoice_id}", **answers(v.IssuedDocument))
    async def invoice(invoice_id: uuid.UUID) -> dict[str, Any]:
        row = await queries.invoice(runtime.engine, invoice_id)
        if row is None:
            raise HTTPException(404, f"No rendered document for invoice {invoice_id}")
        return _item(row)

    async def download(invoice_id: uuid.UUID, kind: str) -> Response:
        found = await queries.document_file(runtime.engine, invoice_id, kind)
        if found is None:
            raise HTTPException(404, f"No rendered document for invoice {invoice_id}")
        data, sha, number = found
        if data is None:
            raise HTTPException(404, f"Invoice {number} has no XRechnung: its buyer's "
                                     "e-invoice format is factur-x")
        name = {"xml": "factur-x.xml", "xrechnung": f"{number}-xrechnung.xml"}.get(
            kind, f"{number}.pdf")
        return Response(data, media_type=MEDIA[kind], headers={
            "ETag": f'"{sha}"', "Content-Disposition": f'inline; filename="{name}"'})

    @router.get("/invoices/{invoice_id}/pdf", response_class=Response,
                responses={200: {"content": {"application/pdf": {}}}})
    async def pdf(invoice_id: uuid.UUID) -> Response:
        return await download(invoice_id, "pdf")

    @router.get("/invoices/{invoice_id}/xml", response_class=Response,
                responses={200: {"content": {"application/xml": {}}}})
    async def xml(invoice_id: uuid.UUID) -> Response:
        return await download(invoice_id, "xml")

    @router.get("/invoices/{invoice_id}/xrechnung", response_class=Response,
                responses={200: {"content": {"application/xml": {}}}})
    async def xrechnung(invoice_id: uuid.UUID) -> Response:
        """The XRechnung XML, for invoices whose buyer requires it (404 otherwise)."""
        return await download(invoice_id, "xrechnung")

    previews = Previews()

    @router.post("/previews", response_class=Response,
                 responses={200: {"content": {"application/pdf": {}}}})
    async def preview(document: InvoiceDocument) -> Response:
        """A draft's PDF (watermark DRAFT, no number) from the issued documents' renderer."""
        pdf = await previews.pdf(document)
        return Response(pdf, media_type="application/pdf",
                        headers={"Content-Disposition": 'inline; filename="draft.pdf"'})

    return router


class Previews:
    """One typst compiler for the HTTP process, made on the first preview; one preview at a
    time, typeset in a thread so the event loop keeps serving."""

    def __init__(self) -> None:
        self._maker: PdfMaker | None = None
        self._lock = asyncio.Lock()

    async def pdf(self, document: InvoiceDocument) -> bytes:
        async with self._lock:
            if self._maker is None:
                self._maker = await asyncio.to_thread(PdfMaker)
            return await asyncio.to_thread(preview_pdf, self._maker, document)
