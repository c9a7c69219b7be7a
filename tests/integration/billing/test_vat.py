"""VAT treatment per document on the real database: an EU customer without VAT id is not
billed until its profile says business or consumer; a VAT id is checked at profile save;
reverse charge carries the buyer's VAT id, services outside the EU are O without VAT ids."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest

from affbill_billing.service_layer import ingest, runs
from affbill_contracts import Envelope, ProcessSelected, topics
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import advertiser, row
from tests.integration.billing.test_drafts import ANNA, item_ids, outbox

pytestmark = pytest.mark.integration
TODAY = dt.date(2026, 11, 2)


async def customer_in(billing: Runtime, country: str, vat: str | None) -> str:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    cid = await advertiser(billing, c, country=country, vat=vat)
    await ingest.apply_stat_rows(billing.uow(), [row(c, "1004", "100.00000", 4)])
    return cid


async def run(billing: Runtime, cid: str) -> dict[str, int]:
    command = Envelope.wrap(ProcessSelected(run_id=uuid.uuid4(), customer_ids=[cid],
                                            requested_by="run"))
    return await runs.process_selected(billing.uow, command, billing.settings, TODAY)


async def issued(billing: Runtime, cid: str) -> list:
    return [e.payload.document for e in await outbox(billing, topics.BILLING_INVOICES)
            if e.payload.document.customer_id == cid]


async def test_an_eu_customer_without_vat_id_waits_until_its_profile_says_its_kind(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    cid = await customer_in(billing, "FR", None)
    profile = (await api.get(f"/customers/{cid}/profile")).json()
    assert profile["tax_treatment"] is None and profile["buyer_kind"] is None
    open_items = await item_ids(billing, cid)
    counts = await run(billing, cid)
    assert counts["documents_created"] == 0 and counts["customers_skipped"] == 1
    assert await item_ids(billing, cid) == open_items  # left open
    logged = [e.payload.text for e in await outbox(billing, topics.JOBS_EVENTS)
              if e.type == "jobs.job.log"]
    name = f"Acme {cid.split(':')[0]}"
    assert f"VAT id missing for EU business customer {name}: not billed" in logged
    changed = await api.patch(f"/customers/{cid}/profile", json={"buyer_kind": "consumer"},
                              headers=ANNA)
    assert changed.status_code == 200 and changed.json()["tax_treatment"] == "domestic"
    assert (await run(billing, cid))["documents_created"] == 1
    [doc] = await issued(billing, cid)
    assert {(g.vat_category.value, g.vat_rate) for g in doc.tax_breakdown} == {("S", 19)}


async def test_create_names_the_missing_vat_id_before_numbering(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    cid = await customer_in(billing, "AT", None)
    draft = (await api.post("/drafts/custom", json={
            "customer_id": cid, "supply_date": "2026-10-31", "lines": [
        {"description": "Setup fee", "unit_price": "250"}]}, headers=ANNA)).json()
    refused = await api.post(f"/drafts/{draft['draft_id']}/issue", json={"version": 1},
                             headers=ANNA)
    assert refused.status_code == 422, refused.text
    assert "presets.vat_id" in refused.text and "buyer_kind" in refused.text
    fixed = await api.patch(f"/drafts/{draft['draft_id']}", json={
        "version": 1, "vat_id": "ATU13585627"}, headers=ANNA)
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["presets"]["tax_treatment"] == "eu_reverse_charge"
    done = await api.post(f"/drafts/{draft['draft_id']}/issue", json={"version": 2},
                          headers=ANNA)
    assert done.status_code == 200, done.text
    [doc] = await issued(billing, cid)
    assert doc.buyer.vat_id == "ATU13585627" and doc.lines[0].vat_category.value == "AE"


async def test_a_profile_refuses_a_vat_id_that_is_not_one(api: httpx.AsyncClient,
                                                          billing: Runtime) -> None:
    cid = await customer_in(billing, "DE", None)
    for vat_id, says in (("DE136695977", "checksum"), ("FR123", "length"),
                         ("12345678", "country code DE")):
        refused = await api.patch(f"/customers/{cid}/profile", json={"vat_id": vat_id},
                                  headers=ANNA)
        assert refused.status_code == 422 and "vat_id" in refused.text, refused.text
        assert says in refused.text
    treatment = await api.patch(f"/customers/{cid}/profile",
                                json={"tax_treatment": "export"}, headers=ANNA)
    assert treatment.status_code == 422 and "tax_treatment" in treatment.text
    ok = await api.patch(f"/customers/{cid}/profile", json={"vat_id": "DE136695976"},
                         headers=ANNA)
    assert ok.status_code == 200 and ok.json()["tax_treatment"] == "domestic"


async def test_services_outside_the_eu_are_not_subject_to_vat(billing: Runtime) -> None:
    cid = await customer_in(billing, "US", "12-3456789")
    assert (await run(billing, cid))["documents_created"] == 1
    [doc] = await issued(billing, cid)
    assert {line.vat_category.value for line in doc.lines} == {"O"}
    assert doc.buyer.vat_id is None and doc.seller.vat_id is None and doc.seller.tax_number
    assert "place of supply" in (doc.tax_breakdown[0].exemption_reason or "")
