"""Billing profiles and the generator through the billing service's HTTP API."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import httpx
import pytest

from affbill_billing.service_layer import ingest
from affbill_contracts import ConversionSynced, Envelope
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import DAY, advertiser, row

pytestmark = pytest.mark.integration


async def test_profile_defaults_from_core_data_and_validated_updates(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    customer = await advertiser(billing, c)
    profile = (await api.get(f"/customers/{customer}/profile")).json()
    assert (profile["billing_name"], profile["country"], profile["tax_treatment"]) == (
        f"Acme {c}", "FR", "eu_reverse_charge")
    assert profile["billing_currency"] == "EUR" and profile["payment_days"] == 14
    updated = (await api.patch(f"/customers/{customer}/profile", json={
        "version": 1, "threshold_amount": "100.00", "threshold_currency": "EUR",
        "payment_days": 30, "line_grouping": "period", "email_recipients": ["ap@acme.example"]}
    )).json()
    assert (updated["threshold_amount"], updated["version"]) == ("100.00", 2)
    stale = await api.patch(f"/customers/{customer}/profile", json={"version": 1,
                                                                    "payment_days": 7})
    assert stale.status_code == 409 and "version 2" in stale.json()["title"]
    bad = await api.patch(f"/customers/{customer}/profile", json={
        "billing_currency": "EURO", "payment_days": 400, "line_grouping": "weekly"})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {"billing_currency", "payment_days", "line_grouping"} <= fields
    no_currency = await api.patch(f"/customers/{customer}/profile",
                                  json={"threshold_amount": "5"})
    assert no_currency.status_code == 422 and "threshold_currency" in no_currency.text
    assert (await api.get("/customers/nobody/profile")).status_code == 404
    # a later core-data update does not overwrite billing's profile
    await advertiser(billing, c, country="DE")
    assert (await api.get(f"/customers/{customer}/profile")).json()["payment_days"] == 30


async def test_generator_lists_open_totals_pending_and_threshold(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    customer = await advertiser(billing, c)
    await ingest.apply_stat_rows(billing.uow(), [
        row(c, "1004", "60.00000", 2), row(c, "1005", "30.00000", 1, offer="21"),
        row(c, "1004", "20.00000", 1, day=DAY + dt.timedelta(days=3))])
    await ingest.apply_conversions(billing.uow(), [Envelope.wrap(ConversionSynced(
        connector=c, conversion_id="c-9", advertiser_id="7", offer_id="20",
        affiliate_id="1004", status="pending", currency="EUR", revenue=Decimal("12.5"),
        payout=Decimal(0), converted_at=dt.datetime(2026, 10, 5, tzinfo=dt.UTC)))])
    await api.patch(f"/customers/{customer}/profile",
                    json={"threshold_amount": "110", "threshold_currency": "EUR"})
    body = (await api.get("/generator", params={"customer": c})).json()
    [line] = body["lines"]
    assert body["customers"] == 1 and line["customer_id"] == customer
    [eur] = line["totals"]
    assert (Decimal(eur["open_total"]), eur["items"], eur["pending_conversions"]) == (
        Decimal(110), 3, 1)
    assert (eur["first_day"], eur["last_day"]) == (str(DAY), str(DAY + dt.timedelta(days=3)))
    assert eur["reaches_threshold"] is True  # equal to the threshold is invoiced
    period = (await api.get("/generator", params={"customer": c, "period_to": str(DAY)})).json()
    assert Decimal(period["lines"][0]["totals"][0]["open_total"]) == Decimal(90)
    assert period["lines"][0]["totals"][0]["reaches_threshold"] is False
    assert (await api.get("/generator", params={"customer": c, "account_manager": "9"})
            ).json()["lines"] == []
    items = (await api.get(f"/generator/{customer}/items", params={"page_size": 2})).json()
    assert items["total"] == 3 and len(items["items"]) == 2
    offer = (await api.get(f"/generator/{customer}/items", params={"offer_id": "21"})).json()
    assert [i["offer_id"] for i in offer["items"]] == ["21"]
