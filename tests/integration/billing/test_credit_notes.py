"""Partial credit notes against an issued invoice, on the real database: chosen lines or
an amount, type 381 booked negative with the billing reference to the invoice, never more
than the invoice's net total, numbered from its series; the invoice stays issued."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from sqlalchemy import text

from affbill_contracts import topics
from affbill_runtime.runtime import Runtime
from tests.integration.billing.test_drafts import ANNA, BEN, customer, outbox

pytestmark = pytest.mark.integration


async def issued_custom_invoice(billing: Runtime, api: httpx.AsyncClient) -> dict:
    _, cid = await customer(billing)
    draft = (await api.post("/drafts/custom", json={"customer_id": cid,
        "supply_date": "2026-10-31", "lines": [
        {"description": "Setup fee", "unit_price": "250"},
        {"description": "Consulting", "quantity": "4", "unit_price": "80"}]},
        headers=ANNA)).json()
    return (await api.post(f"/drafts/{draft['draft_id']}/issue", json={"version": 1},
                           headers=ANNA)).json()


async def test_credit_note_for_chosen_lines_and_for_an_amount(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    invoice = await issued_custom_invoice(billing, api)  # 250 + 320 = 570 net
    url = f"/invoices/{invoice['invoice_id']}/credit-notes"
    made = await api.post(url, json={"lines": [{"line_no": 2, "quantity": "1"}],
                                     "reason": "One consulting day not delivered"},
                          headers=BEN)
    assert made.status_code == 201, made.text
    note = made.json()
    assert note["number"] == "INV-2026-00002-S" and note["document_type"] == "381"
    assert note["kind"] == "credit_note"
    assert note["totals"] == {"net": "-80.00", "tax": "-15.20", "gross": "-95.20"}
    ref = note["document"]["preceding_invoice"]
    assert ref["number"] == invoice["number"] and ref["cancelled"] is False
    assert ref["issue_date"] == invoice["document"]["issue_date"]
    assert "Credit note" in note["document"]["payment"]["terms"]

    by_amount = await api.post(url, json={"amount": "100.00"}, headers=BEN)
    assert by_amount.status_code == 201, by_amount.text
    assert by_amount.json()["totals"]["net"] == "-100.00"
    original = (await api.get(f"/invoices/{invoice['invoice_id']}")).json()
    assert original["status"] == "issued"  # a credit note does not cancel the invoice

    issued = [e.payload.document for e in await outbox(billing, topics.BILLING_INVOICES)
              if e.type == "billing.invoice.issued"]
    assert [d.number for d in issued][-2:] == ["INV-2026-00002-S", "INV-2026-00003-S"]
    assert issued[-1].lines[0].description == f"Credit on invoice {invoice['number']}"


async def test_credit_notes_never_exceed_the_invoice_and_name_the_field(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    invoice = await issued_custom_invoice(billing, api)
    url = f"/invoices/{invoice['invoice_id']}/credit-notes"
    cases = [({"amount": "570.01"}, "amount"), ({"lines": [{"line_no": 3}]}, "lines.0.line_no"),
             ({"lines": [{"line_no": 2, "quantity": "5"}]}, "lines.0.quantity"),
             ({}, "lines"), ({"lines": [{"line_no": 1}], "amount": "1"}, "lines")]
    for body, field in cases:
        refused = await api.post(url, json=body, headers=BEN)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["errors"][0]["field"] == field, refused.json()
    assert (await api.post(url, json={"amount": "500"}, headers=BEN)).status_code == 201
    over = await api.post(url, json={"amount": "70.01"}, headers=BEN)
    assert over.status_code == 422 and "70.00" in over.text
    # credited in part: cancelling it would credit twice
    cancel = await api.post(f"/invoices/{invoice['invoice_id']}/cancel", headers=BEN)
    assert cancel.status_code == 409
    async with billing.engine.connect() as conn:
        numbers = (await conn.execute(text("select number from invoices where status = "
                                           "'issued' order by number"))).scalars().all()
        credited = await conn.scalar(text("select sum(net_total) from invoices "
                                          "where credits_invoice_id is not null"))
    assert numbers == ["INV-2026-00001", "INV-2026-00002-S"]  # refusals took no number
    assert credited == Decimal("-500")
