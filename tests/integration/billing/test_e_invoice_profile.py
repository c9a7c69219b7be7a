"""The e-invoice format of a billing profile (factur-x | xrechnung with a buyer reference):
edited through the profile API, validated naming the field, carried on the snapshot."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest
from sqlalchemy import text

from affbill_billing.service_layer import ingest, runs
from affbill_contracts import Envelope, ProcessSelected, decode, topics
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import advertiser, row

pytestmark = pytest.mark.integration
TODAY = dt.date(2026, 11, 2)
LEITWEG_ID = "04011000-12345-67"


async def test_xrechnung_needs_a_buyer_reference_and_address(billing: Runtime,
                                                 api: httpx.AsyncClient) -> None:
    customer = await advertiser(billing, f"ho-{uuid.uuid4().hex[:6]}", country="DE")
    url = f"/customers/{customer}/profile"
    profile = (await api.get(url)).json()
    assert (profile["e_invoice_format"], profile["buyer_reference"]) == ("factur-x", None)

    refused = await api.patch(url, json={"e_invoice_format": "xrechnung"})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"] == [{
        "field": "buyer_reference",
        "reason": "xrechnung requires a buyer reference (BT-10, the buyer's Leitweg-ID)"}]
    blank = await api.patch(url, json={"e_invoice_format": "xrechnung", "buyer_reference": " "})
    assert blank.status_code == 422
    assert [e["field"] for e in blank.json()["errors"]] == ["buyer_reference"]
    unknown = await api.patch(url, json={"e_invoice_format": "ubl"})
    assert [e["field"] for e in unknown.json()["errors"]] == ["e_invoice_format"]
    assert (await api.get(url)).json()["version"] == profile["version"]  # nothing written

    no_address = await api.patch(url, json={"e_invoice_format": "xrechnung",
                                            "buyer_reference": LEITWEG_ID})
    assert no_address.status_code == 422  # BT-49, the buyer's electronic address
    assert no_address.json()["errors"] == [{
        "field": "email_recipients",
        "reason": "xrechnung requires the buyer's electronic address (BT-49): give at least "
                  "one e-mail recipient"}]
    updated = (await api.patch(url, json={"e_invoice_format": "xrechnung",
                                          "buyer_reference": LEITWEG_ID,
                                          "email_recipients": ["rechnung@stadt.example"]})).json()
    emptied = await api.patch(url, json={"email_recipients": []})  # still xrechnung
    assert [e["field"] for e in emptied.json()["errors"]] == ["email_recipients"]
    assert (updated["e_invoice_format"], updated["buyer_reference"]) == ("xrechnung", LEITWEG_ID)
    cleared = await api.patch(url, json={"buyer_reference": None})  # still xrechnung
    assert cleared.status_code == 422
    assert cleared.json()["errors"][0]["field"] == "buyer_reference"
    back = (await api.patch(url, json={"e_invoice_format": "factur-x",
                                       "buyer_reference": None})).json()
    assert (back["e_invoice_format"], back["buyer_reference"]) == ("factur-x", None)


async def test_a_run_carries_the_format_and_the_reference_on_the_snapshot(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    xr, fx = (f"ho-{uuid.uuid4().hex[:6]}" for _ in range(2))
    customers = [await advertiser(billing, c, country="DE") for c in (xr, fx)]
    await ingest.apply_stat_rows(billing.uow(), [row(xr, revenue="40.00000"),
                                                 row(fx, revenue="30.00000")])
    assert (await api.patch(f"/customers/{customers[0]}/profile", json={
        "e_invoice_format": "xrechnung", "buyer_reference": LEITWEG_ID,
        "email_recipients": ["rechnung@stadt.example", "ap@stadt.example"]})).status_code == 200

    await runs.process_selected(billing.uow, Envelope.wrap(ProcessSelected(
        run_id=uuid.uuid4(), customer_ids=customers, requested_by="anna")),
        billing.settings, TODAY)

    async with billing.engine.connect() as conn:
        values = (await conn.execute(text("select value from outbox where topic = :t"),
                                     {"t": topics.BILLING_INVOICES})).scalars().all()
    docs = {e.payload.document.customer_id: e.payload.document for e in map(decode, values)}
    xrechnung, facturx = docs[customers[0]], docs[customers[1]]
    assert xrechnung.e_invoice_format == "xrechnung"
    assert xrechnung.buyer_reference == LEITWEG_ID
    assert xrechnung.buyer.email == "rechnung@stadt.example"  # BT-49: the first recipient
    assert facturx.e_invoice_format == "factur-x" and facturx.buyer_reference is None


async def test_debtor_number_and_language_go_on_the_document(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    """Customer no. is the profile's debtor number (BT-46); the PDF's language is the
    profile's (en, de); a draft and a run carry both."""
    cid = f"ho-{uuid.uuid4().hex[:6]}"
    customer = await advertiser(billing, cid, country="DE")
    url = f"/customers/{customer}/profile"
    wrong = await api.patch(url, json={"language": "fr"})
    assert [e["field"] for e in wrong.json()["errors"]] == ["language"]
    changed = (await api.patch(url, json={"debtor_number": "10042", "language": "de"})).json()
    assert (changed["debtor_number"], changed["language"]) == ("10042", "de")
    await ingest.apply_stat_rows(billing.uow(), [row(cid, revenue="40.00000")])
    await runs.process_selected(billing.uow, Envelope.wrap(ProcessSelected(
        run_id=uuid.uuid4(), customer_ids=[customer], requested_by="anna")),
        billing.settings, TODAY)
    async with billing.engine.connect() as conn:
        values = (await conn.execute(text("select value from outbox where topic = :t"),
                                     {"t": topics.BILLING_INVOICES})).scalars().all()
    [doc] = [e.payload.document for e in map(decode, values)
             if e.payload.document.customer_id == customer]
    assert (doc.debtor_number, doc.language) == ("10042", "de")
    assert doc.payment.terms.startswith("Zahlbar innerhalb von")
    assert doc.period_end is not None  # a run's document is dated by its service period
