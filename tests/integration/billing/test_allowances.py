"""Discounts and surcharges as EN 16931 allows them, through the drafts API on the real
database: a line allowance (BG-27), a negative quantity for returned units, document
allowances and charges (BG-20/21) with reason codes; never a negative unit price."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from affbill_runtime.runtime import Runtime
from tests.integration.billing.test_drafts import ANNA, BEN, customer

pytestmark = pytest.mark.integration


async def test_a_negative_price_is_refused_pointing_to_the_allowance(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    _, cid = await customer(billing)
    refused = await api.post("/drafts/custom", json={"customer_id": cid, "lines": [
        {"description": "Fee", "unit_price": "100"},
        {"description": "Discount", "unit_price": "-10"}]}, headers=ANNA)
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["field"] == "lines.1.unit_price"
    assert "BR-27" in error["reason"] and "allowance" in error["reason"]
    zero = await api.post("/drafts/custom", json={"customer_id": cid, "lines": [
        {"description": "Fee", "quantity": "0", "unit_price": "100"}]}, headers=ANNA)
    assert zero.status_code == 422 and zero.json()["errors"][0]["field"] == "lines.0.quantity"
    no_reason = await api.post("/drafts/custom", json={"customer_id": cid, "lines": [
        {"description": "Fee", "unit_price": "100", "allowance": {"amount": "5"}}]},
        headers=ANNA)
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "lines.0.allowance.reason"


async def test_allowances_charges_and_returns_are_issued_with_en16931_totals(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    _, cid = await customer(billing)
    draft = (await api.post("/drafts/custom", json={"customer_id": cid,
        "supply_date": "2026-10-31", "lines": [
        {"description": "Campaign", "quantity": "10", "unit_price": "50",
         "allowance": {"amount": "25", "reason": "Volume discount", "reason_code": "95"}},
        {"description": "Returned banners", "quantity": "-2", "unit_price": "10"}]},
        headers=ANNA)).json()
    assert draft["totals"]["net"] == "455.00"  # 500 - 25 - 20
    bad = await api.patch(f"/drafts/{draft['draft_id']}", json={
        "version": draft["version"], "allowances_charges": [
            {"amount": "5", "reason_code": "XX"}]}, headers=ANNA)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "allowances_charges.0.reason_code"
    edited = await api.patch(f"/drafts/{draft['draft_id']}", json={
        "version": draft["version"], "allowances_charges": [
            {"amount": "55", "reason": "Loyalty discount", "reason_code": "95"},
            {"charge": True, "amount": "20", "reason": "Handling", "reason_code": "ABK"}]},
        headers=ANNA)
    assert edited.status_code == 200, edited.text
    d = edited.json()
    assert d["totals"] == {"net": "455.00", "allowances": "55.00", "charges": "20.00",
                           "tax": "79.80", "gross": "499.80"}  # 19 % of 420.00
    issued = await api.post(f"/drafts/{d['draft_id']}/issue", json={"version": d["version"]},
                            headers=ANNA)
    assert issued.status_code == 200, issued.text
    doc = issued.json()["document"]
    assert doc["lines"][0]["allowances"][0]["reason_code"] == "95"
    assert Decimal(doc["lines"][0]["net_amount"]) == 475
    assert Decimal(doc["lines"][1]["quantity"]) == -2
    assert Decimal(doc["lines"][1]["unit_price"]) == 10
    assert [a["charge"] for a in doc["allowances_charges"]] == [False, True]
    assert Decimal(doc["tax_breakdown"][0]["taxable_amount"]) == 420
    assert Decimal(doc["totals"]["allowance_total"]) == 55
    cancel = await api.post(f"/invoices/{issued.json()['invoice_id']}/cancel", headers=BEN)
    assert cancel.status_code == 201, cancel.text
    assert cancel.json()["totals"] == {"net": "-455.00", "tax": "-79.80", "gross": "-499.80"}
