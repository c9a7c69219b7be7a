"""The invoice list, metadata and downloads over HTTP, on rendered documents."""

from __future__ import annotations

import datetime as dt
import io

import httpx
import pytest

from affbill_contracts import Envelope
from affbill_contracts.billing import InvoiceCancelled, InvoiceIssued
from affbill_documents.service_layer.rendering import render_invoices
from affbill_runtime.runtime import Runtime
from tests.unit.documents.samples import cancellation, invoice

pytestmark = pytest.mark.integration


async def test_list_filters_pages_and_downloads(documents: Runtime, api: httpx.AsyncClient) -> None:
    a = invoice(2, number="INV-2026-00101", customer_id="c:1")
    b = invoice(2, number="INV-2026-00102", customer_id="c:2", reverse_charge=True,
                issue_date=dt.date(2026, 12, 1))
    c = invoice(1, number="INV-2026-00103", customer_id="c:1", currency="USD",
                payment=a.payment.model_copy(update={"reference": "INV-2026-00103"}))
    cancel = cancellation(a)
    await render_invoices(documents.uow, documents.state.renderer, [
        Envelope.wrap(InvoiceIssued(document=d, issued_by="anna")) for d in (a, b, c)])
    await render_invoices(documents.uow, documents.state.renderer, [Envelope.wrap(InvoiceCancelled(
        cancelled_invoice_id=a.invoice_id, cancelled_number=a.number, document=cancel,
        cancelled_by="anna"))])

    async def numbers(**params: object) -> list[str]:
        response = await api.get("/invoices", params=params)
        assert response.status_code == 200, response.text
        return [i["number"] for i in response.json()["items"]]

    page = (await api.get("/invoices", params={"limit": 2})).json()
    assert page["total"] == 4 and page["limit"] == 2 and page["offset"] == 0
    assert [i["number"] for i in page["items"]] == ["INV-2026-00102", cancel.number]
    assert await numbers(customer_id="c:1", status="issued") == ["INV-2026-00103"]
    assert await numbers(status="cancelled") == ["INV-2026-00101"]
    assert await numbers(status="cancellation") == [cancel.number]
    assert await numbers(date_from="2026-11-15") == ["INV-2026-00102"]
    assert await numbers(date_to="2026-11-01") == ["INV-2026-00103", "INV-2026-00101"]
    assert await numbers(number="0010_") == []  # wildcards are literal
    assert await numbers(number="00102") == ["INV-2026-00102"]
    assert await numbers(currency="USD") == ["INV-2026-00103"]

    meta = (await api.get(f"/invoices/{b.invoice_id}")).json()
    assert meta["gross_total"] == str(b.totals.grand_total) and meta["tax_total"] == "0.00"
    assert meta["valid"] and meta["failed_rules"] == [] and meta["status"] == "issued"
    assert meta["profile"] == "EN 16931" and len(meta["pdf_sha256"]) == 64

    pdf = await api.get(meta["pdf_url"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and len(pdf.content) == meta["pdf_size"]
    assert pdf.headers["etag"] == f'"{meta["pdf_sha256"]}"'
    xml = await api.get(meta["xml_url"])
    assert xml.headers["content-type"] == "application/xml" and b"INV-2026-00102" in xml.content


async def test_errors_are_problems_naming_the_field(api: httpx.AsyncClient) -> None:
    missing = await api.get("/invoices/9a3c5e7f-1b2d-4c6e-8f0a-1b2c3d4e5f60/pdf")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    bad = await api.get("/invoices", params={"status": "paid", "limit": 900})
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {"query.status", "query.limit"}
    backwards = await api.get("/invoices", params={"date_from": "2026-12-01",
                                                   "date_to": "2026-11-01"})
    assert backwards.status_code == 422
    assert backwards.json()["errors"][0]["field"] == "query.date_to"
    not_an_id = await api.get("/invoices/42")
    assert not_an_id.status_code == 422


async def test_a_draft_preview_is_printed_with_the_watermark_and_no_number(
        documents: Runtime, api: httpx.AsyncClient) -> None:
    """POST /previews: the same template as an issued document, DRAFT across the page,
    no number, nothing stored and no e-invoice inside."""
    from pypdf import PdfReader
    draft = invoice(2, number="(pending)", language="de")
    answer = await api.post("/previews", json=draft.model_dump(mode="json"))
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.content)).pages)
    assert "ENTWURF" in text and "Rechnung" in text and "(pending)" not in text
    assert draft.buyer.name in text
    assert b"factur-x.xml" not in answer.content
    assert (await api.get("/invoices")).json()["total"] == 0  # a preview is not a document
    bad = await api.post("/previews", json={"number": "x"})
    assert bad.status_code == 422
