"""Validate before numbering, on the real database: a document the EN 16931 gate stops
takes no number. Create answers 422 naming rule, message and field; a run writes
`Document for <customer> not created: <rule> <message>` and leaves the items open."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest
from sqlalchemy import text

from affbill_billing.config import Settings
from affbill_billing.service_layer import runs
from affbill_contracts import Envelope, ProcessSelected, topics
from affbill_runtime.runtime import Runtime
from tests.integration.billing.test_drafts import ANNA, customer, item_ids, outbox

pytestmark = pytest.mark.integration


def seller_without_ids(billing: Runtime) -> Settings:
    """A seller configured with neither VAT id nor tax number: its standard-rated documents
    break BR-S-02. (A run can no longer make reverse charge without a buyer VAT id: the VAT
    treatment is decided from the buyer's VAT id, tests/integration/billing/test_vat.py.)"""
    return billing.settings.model_copy(update={"seller_vat_id": "", "seller_tax_number": ""})


async def test_create_refuses_an_invalid_document_before_numbering(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    _, cid = await customer(billing)  # no VAT id: reverse charge breaks BR-AE-02
    draft = (await api.post("/drafts/custom", json={
        "customer_id": cid, "supply_date": "2026-10-31",
        "lines": [{"description": "Setup fee", "unit_price": "250", "vat_category": "AE"}]},
        headers=ANNA)).json()
    refused = await api.post(f"/drafts/{draft['draft_id']}/issue", json={"version": 1},
                             headers=ANNA)
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert error["rule"] == "BR-AE-02" and error["field"] == "buyer.vat_id"
    assert "VAT id" in error["reason"]
    async with billing.engine.connect() as conn:
        assert await conn.scalar(text("select count(*) from invoices where number is not "
                                      "null")) == 0
    fixed = await api.patch(f"/drafts/{draft['draft_id']}/lines/{draft['lines'][0]['line_id']}",
                            json={"version": 1, "vat_category": "S", "vat_rate": "19"},
                            headers=ANNA)
    assert fixed.status_code == 200, fixed.text
    issued = await api.post(f"/drafts/{draft['draft_id']}/issue", json={"version": 2},
                            headers=ANNA)
    assert issued.status_code == 200 and issued.json()["number"] == "INV-2026-00001"  # no gap


async def test_a_run_logs_the_rule_and_leaves_the_items_open(billing: Runtime) -> None:
    _, cid = await customer(billing)
    before = await item_ids(billing, cid)
    run = Envelope.wrap(ProcessSelected(run_id=uuid.uuid4(), customer_ids=[cid],
                                        requested_by="run"))
    counts = await runs.process_selected(billing.uow, run, seller_without_ids(billing),
                                         dt.date(2026, 11, 2))
    assert counts["documents_created"] == 0
    assert await item_ids(billing, cid) == before  # still open
    logged = [e.payload.text for e in await outbox(billing, topics.JOBS_EVENTS)
              if e.type == "jobs.job.log"]
    assert any(t.startswith("Document for Acme") and "not created: BR-S-02" in t
               for t in logged), logged
    async with billing.engine.connect() as conn:
        assert await conn.scalar(text("select count(*) from invoices")) == 0


async def test_create_asks_for_the_date_of_supply_before_numbering(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    """A custom invoice whose lines name no service period needs its date of supply (BT-72):
    422 on supply_date at Create, nothing numbered; given on the draft, it is issued with it."""
    _, cid = await customer(billing)
    draft = (await api.post("/drafts/custom", json={"customer_id": cid, "lines": [
        {"description": "Setup fee", "unit_price": "250"}]}, headers=ANNA)).json()
    refused = await api.post(f"/drafts/{draft['draft_id']}/issue", json={"version": 1},
                             headers=ANNA)
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["supply_date"]
    async with billing.engine.connect() as conn:
        assert await conn.scalar(text("select count(*) from invoices where number is not "
                                      "null")) == 0
    dated = await api.patch(f"/drafts/{draft['draft_id']}", json={
        "version": 1, "supply_date": "2026-10-20"}, headers=ANNA)
    assert dated.status_code == 200, dated.text
    issued = await api.post(f"/drafts/{draft['draft_id']}/issue", json={"version": 2},
                            headers=ANNA)
    assert issued.status_code == 200, issued.text
    [doc] = [e.payload.document for e in await outbox(billing, topics.BILLING_INVOICES)
             if e.payload.document.invoice_id == uuid.UUID(draft["draft_id"])]
    assert doc.delivery_date == dt.date(2026, 10, 20) and doc.period_start is None


async def test_a_preview_states_the_draft_unnumbered(billing: Runtime,
                                                     api: httpx.AsyncClient) -> None:
    """GET /drafts/{id}/preview-document: what Create would issue today, numbered
    "(pending)", even before the date of supply is given; nothing is numbered."""
    _, cid = await customer(billing)
    draft = (await api.post("/drafts/custom", json={"customer_id": cid, "lines": [
        {"description": "Setup fee", "unit_price": "250"}]}, headers=ANNA)).json()
    preview = await api.get(f"/drafts/{draft['draft_id']}/preview-document", headers=ANNA)
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["number"] == "(pending)" and body["totals"]["line_total"] == "250.00"
    assert body["lines"][0]["description"] == "Setup fee"
    missing = await api.get(f"/drafts/{uuid.uuid4()}/preview-document", headers=ANNA)
    assert missing.status_code == 404
    async with billing.engine.connect() as conn:
        assert await conn.scalar(text("select count(*) from invoices where number is not "
                                      "null")) == 0
