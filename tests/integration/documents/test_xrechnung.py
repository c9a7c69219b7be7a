"""XRechnung documents stored beside the Factur-X PDF and served over HTTP."""

from __future__ import annotations

import hashlib
import uuid

import httpx
import pytest

from affbill_contracts import Envelope
from affbill_contracts.billing import InvoiceIssued
from affbill_documents.service_layer.rendering import render_invoices
from affbill_runtime.runtime import Runtime
from tests.integration.documents.conftest import stored
from tests.unit.documents.samples import LEITWEG_ID, invoice, xrechnung_invoice

pytestmark = pytest.mark.integration


async def test_xrechnung_is_stored_listed_and_downloadable(documents: Runtime,
                                                           api: httpx.AsyncClient) -> None:
    xr = xrechnung_invoice(2, number="INV-2026-00301")
    fx = invoice(2, number="INV-2026-00302")
    counts = await render_invoices(documents.uow, documents.state.renderer, [
        Envelope.wrap(InvoiceIssued(document=d, issued_by="anna")) for d in (xr, fx)])
    assert counts == {"rendered": 2, "failed_validation": 0}

    rows = await stored(documents)
    row = rows[xr.invoice_id]
    assert row["e_invoice_format"] == "xrechnung" and row["valid"]
    assert row["xrechnung_sha256"] == hashlib.sha256(row["xrechnung"]).hexdigest()
    assert row["xrechnung_size"] == len(row["xrechnung"])
    assert rows[fx.invoice_id]["xrechnung"] is None

    meta = (await api.get(f"/invoices/{xr.invoice_id}")).json()
    assert meta["e_invoice_format"] == "xrechnung"
    assert meta["xrechnung_sha256"] == row["xrechnung_sha256"]
    assert meta["xrechnung_size"] == row["xrechnung_size"]
    assert meta["xrechnung_url"] == f"/invoices/{xr.invoice_id}/xrechnung"
    listed = {i["number"]: i for i in (await api.get("/invoices")).json()["items"]}
    assert listed["INV-2026-00301"]["xrechnung_sha256"] == row["xrechnung_sha256"]
    assert listed["INV-2026-00302"]["xrechnung_url"] is None
    assert listed["INV-2026-00302"]["e_invoice_format"] == "factur-x"

    download = await api.get(f"/invoices/{xr.invoice_id}/xrechnung")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/xml"
    assert download.headers["etag"] == f'"{row["xrechnung_sha256"]}"'
    assert download.content == row["xrechnung"]
    assert LEITWEG_ID.encode() in download.content and b"xrechnung_3.0" in download.content

    none = await api.get(f"/invoices/{fx.invoice_id}/xrechnung")
    assert none.status_code == 404
    assert none.headers["content-type"] == "application/problem+json"
    assert "INV-2026-00302 has no XRechnung" in none.json()["title"]
    assert (await api.get(f"/invoices/{uuid.uuid4()}/xrechnung")).status_code == 404
