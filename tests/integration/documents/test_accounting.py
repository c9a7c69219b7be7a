"""Every document's API view carries its amounts in the accounting currency (EUR)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import httpx
import pytest

from affbill_contracts import Envelope
from affbill_contracts.billing import InvoiceIssued
from affbill_documents.service_layer.rendering import render_invoices
from affbill_runtime.runtime import Runtime
from tests.unit.documents.samples import booked_cancellation, foreign, invoice

pytestmark = pytest.mark.integration


async def test_accounting_amounts_on_the_api_view(documents: Runtime,
                                                  api: httpx.AsyncClient) -> None:
    eur = invoice(2, number="INV-2026-00201")
    gbp = foreign("GBP", "INV-2026-00202")
    credit = booked_cancellation(foreign("USD", "INV-2026-00203"), "INV-2026-00204-S")
    old = invoice(1, number="INV-2026-00205", currency="CHF")  # issued before rates were kept
    await render_invoices(documents.uow, documents.state.renderer, [
        Envelope.wrap(InvoiceIssued(document=d, issued_by="anna"))
        for d in (eur, gbp, credit, old)])
    listed = {i["number"]: i for i in (await api.get("/invoices")).json()["items"]}
    assert all(i["valid"] for i in listed.values())
    assert listed["INV-2026-00201"]["accounting"] == {
        "currency": "EUR", "rate": "1", "rate_date": None, "source": None,
        "net_total": str(eur.totals.line_total), "tax_total": str(eur.totals.tax_total),
        "gross_total": str(eur.totals.grand_total)}
    view = (await api.get(f"/invoices/{gbp.invoice_id}")).json()["accounting"]
    fx = gbp.vat_accounting
    assert fx is not None
    net = (gbp.totals.line_total / fx.rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert view == {"currency": "EUR", "rate": "0.86905", "rate_date": "2026-10-30",
                    "source": "ecb", "net_total": str(net), "tax_total": str(fx.tax_total),
                    "gross_total": str(net + fx.tax_total)}
    booked = listed["INV-2026-00204-S"]["accounting"]  # a credit note keeps its booked sign
    assert Decimal(booked["tax_total"]) < 0 and Decimal(booked["net_total"]) < 0
    assert listed["INV-2026-00205"]["accounting"] is None  # never a guessed rate
