"""The manual generator on the real database: cart into generator, edits, approvals,
Create, discard, reservations against runs, custom invoices, cancellations."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from affbill_billing.service_layer import ingest, runs
from affbill_contracts import Envelope, ProcessSelected, decode, topics
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import DAY, advertiser, row

pytestmark = pytest.mark.integration
ANNA, BEN, CARL = ({"X-Affbill-User": u} for u in ("anna", "ben", "carl"))


async def customer(billing: Runtime) -> tuple[str, str]:
    """A German customer (domestic VAT 19 %) with two open items: 62.50 (5 × 12.50, from two
    affiliates' rows) on offer 20 and 10.00001 on offer 21 the next day."""
    c = f"ho-{uuid.uuid4().hex[:6]}"
    cid = await advertiser(billing, c, country="DE", vat=None)
    await ingest.apply_stat_rows(billing.uow(), [
        row(c, "1004", "37.50000", 3), row(c, "1005", "25.00000", 2),
        row(c, "1004", "10.00001", 1, offer="21", day=DAY + dt.timedelta(days=1))])
    return c, cid


async def item_ids(billing: Runtime, cid: str, state: str = "open") -> list[str]:
    async with billing.engine.connect() as conn:
        return [str(i) for i in (await conn.execute(text(
            "select item_id from billable_items where customer_id = :c and state = :s "
            "order by offer_id, day, revenue"), {"c": cid, "s": state})).scalars()]


async def outbox(billing: Runtime, topic: str) -> list[Any]:
    async with billing.engine.connect() as conn:
        values = (await conn.execute(text("select value from outbox where topic = :t order by id"),
                                     {"t": topic})).scalars().all()
    return [decode(v) for v in values]


async def log_lines(billing: Runtime, job_id: str) -> list[str]:
    return [e.payload.text for e in await outbox(billing, topics.JOBS_EVENTS)
            if e.type == "jobs.job.log" and str(e.job_id) == job_id]


async def test_the_whole_manual_flow(billing: Runtime, api: httpx.AsyncClient) -> None:
    _, cid = await customer(billing)
    items = await item_ids(billing, cid)
    draft = (await api.post("/drafts", json={"customer_id": cid, "item_ids": items},
                            headers=ANNA)).json()
    assert draft["presets"]["billing_name"].startswith("Acme")
    assert draft["presets"]["tax_treatment"] == "domestic" and draft["version"] == 1
    # lines as a batch run builds them: 5 × 12.50 and 1 × 10.00
    assert [(x["quantity"], x["unit_price"], x["net_amount"]) for x in draft["lines"]] == [
        ("5", "12.5", "62.50"), ("1", "10.00", "10.00")]
    assert draft["totals"] == {"net": "72.50", "tax": "13.78", "gross": "86.28"}
    did = draft["draft_id"]
    # the generator shows the items as in a draft
    gen = (await api.get(f"/generator/{cid}/items")).json()
    assert {i["draft_id"] for i in gen["items"]} == {did}
    # items keep the stats' precision beside the rounded amount; the generator rounds
    assert sorted((i["revenue"], i["revenue_exact"]) for i in gen["items"]) == [
        ("10.00", "10.00001"), ("62.50", "62.50")]
    line = (await api.get("/generator", params={"customer": cid})).json()["lines"][0]
    assert line["totals"][0]["in_drafts"] == {"items": 2, "total": "72.50"}
    # edit: presets of this invoice only, a line, a bonus, a discount
    draft = (await api.patch(f"/drafts/{did}", json={
        "version": 1, "billing_name": "Acme Special", "payment_days": 30,
        "intro_text": "As agreed:", "buyer_reference": "PO-7781"}, headers=BEN)).json()
    assert draft["version"] == 2 and draft["presets"]["billing_name"] == "Acme Special"
    profile = (await api.get(f"/customers/{cid}/profile")).json()
    assert profile["billing_name"].startswith("Acme ho-") and profile["payment_days"] == 14
    first = draft["lines"][0]["line_id"]
    draft = (await api.patch(f"/drafts/{did}/lines/{first}", json={
        "version": 2, "description": "Shop CPS October", "unit_price": "13.333"},
        headers=ANNA)).json()
    assert draft["lines"][0]["net_amount"] == "66.67"  # 5 × 13.333 = 66.665, HALF_UP
    draft = (await api.post(f"/drafts/{did}/lines", json={"version": 3, "line": {
        "description": "Bonus", "unit_price": "100"}}, headers=ANNA)).json()
    negative_price = await api.post(f"/drafts/{did}/lines", json={"version": 4, "line": {
        "description": "Discount", "quantity": "1", "unit_price": "-20.005"}}, headers=ANNA)
    assert negative_price.status_code == 422  # BR-27: a discount is an allowance or a return
    assert negative_price.json()["errors"][0]["field"] == "line.unit_price"
    draft = (await api.post(f"/drafts/{did}/lines", json={"version": 4, "line": {
        "description": "Discount", "quantity": "-1", "unit_price": "20.005"}},
        headers=ANNA)).json()
    nets = [Decimal(x["net_amount"]) for x in draft["lines"]]
    assert nets == [Decimal("66.67"), Decimal("10.00"), Decimal("100.00"), Decimal("-20.01")]
    assert Decimal(draft["totals"]["net"]) == sum(nets) == Decimal("156.66")
    assert draft["totals"]["tax"] == "29.77"  # 19 % of 156.66 = 29.7654, once
    assert draft["totals"]["gross"] == "186.43" and draft["version"] == 5
    listed = (await api.get("/drafts", params={"customer_id": cid})).json()
    assert listed["total"] == 1 and listed["items"][0]["totals"]["gross"] == "186.43"
    assert listed["items"][0]["age_days"] == 0 and listed["items"][0]["items"] == 2
    # Create
    issued = await api.post(f"/drafts/{did}/issue", json={"version": 5}, headers=CARL)
    assert issued.status_code == 200, issued.text
    invoice = issued.json()
    assert invoice["number"] == "INV-2026-00001" and invoice["status"] == "issued"
    assert invoice["totals"]["gross"] == "186.43" and invoice["issued_by"] == "carl"
    doc = invoice["document"]
    assert doc["buyer"]["name"] == "Acme Special" and doc["buyer_reference"] == "PO-7781"
    assert doc["notes"] == ["As agreed:"] and doc["document_type"] == "380"
    assert await item_ids(billing, cid) == [] and len(await item_ids(billing, cid, "invoiced")) == 2
    [event] = [e for e in await outbox(billing, topics.BILLING_INVOICES)]
    assert event.payload.document.number == "INV-2026-00001" and event.payload.issued_by == "carl"
    assert event.payload.document.totals.grand_total == Decimal("186.43")
    assert (await log_lines(billing, invoice["job_id"])) == [
        "Document INV-2026-00001 created for Acme Special"]
    # immutable from now on
    refused = await api.patch(f"/drafts/{did}", json={"version": 6, "payment_days": 1},
                              headers=ANNA)
    assert refused.status_code == 409 and "cancel" in refused.json()["detail"]
    assert (await api.post(f"/drafts/{did}/issue", json={"version": 6}, headers=ANNA)
            ).status_code == 409


async def test_discard_and_removed_lines_return_items(billing: Runtime,
                                                      api: httpx.AsyncClient) -> None:
    _, cid = await customer(billing)
    items = await item_ids(billing, cid)
    draft = (await api.post("/drafts", json={"customer_id": cid, "item_ids": items},
                            headers=ANNA)).json()
    did, offer21 = draft["draft_id"], draft["lines"][1]
    draft = (await api.delete(f"/drafts/{did}/lines/{offer21['line_id']}",
                              params={"version": 1}, headers=ANNA)).json()
    assert draft["items"] == 1 and len(draft["lines"]) == 1
    freed = (await api.get(f"/generator/{cid}/items")).json()["items"]
    assert [i["draft_id"] for i in freed if i["offer_id"] == "21"] == [None]
    assert (await api.delete(f"/drafts/{did}", params={"version": 1}, headers=ANNA)
            ).status_code == 409  # stale
    assert (await api.delete(f"/drafts/{did}", params={"version": 2}, headers=ANNA)
            ).status_code == 204
    assert (await api.get(f"/drafts/{did}")).status_code == 404
    back = (await api.get(f"/generator/{cid}/items")).json()["items"]
    assert len(back) == 2 and all(i["draft_id"] is None for i in back)


async def test_reserved_items_are_skipped_by_a_concurrent_run(billing: Runtime,
                                                              api: httpx.AsyncClient) -> None:
    _, cid = await customer(billing)
    items = await item_ids(billing, cid)
    cmd = Envelope.wrap(ProcessSelected(run_id=uuid.uuid4(), customer_ids=[cid],
                                        requested_by="run"))
    cart, counts = await asyncio.gather(
        api.post("/drafts", json={"customer_id": cid, "item_ids": items[:1]}, headers=ANNA),
        runs.process_selected(billing.uow, cmd, billing.settings, dt.date(2026, 11, 2)))
    async with billing.engine.connect() as conn:
        states = (await conn.execute(text(
            "select item_id, state, draft_id, invoice_id from billable_items "
            "where customer_id = :c"), {"c": cid})).all()
    if cart.status_code == 201:  # the cart won its item: the run billed only the other
        did = uuid.UUID(cart.json()["draft_id"])
        assert {str(s.item_id) for s in states if s.draft_id == did} == set(items[:1])
        assert all(s.state == "open" for s in states if s.draft_id == did)
        assert counts["documents_created"] == 1
        assert [s.state for s in states if str(s.item_id) == items[1]] == ["invoiced"]
    else:  # the run won them all: the cart was told they are no longer open
        assert cart.status_code == 409 and all(s.state == "invoiced" for s in states)
    # and a later run leaves a draft's items alone
    if cart.status_code == 201:
        again = await runs.process_selected(billing.uow, Envelope.wrap(ProcessSelected(
            run_id=uuid.uuid4(), customer_ids=[cid], requested_by="run")), billing.settings,
            dt.date(2026, 11, 2))
        assert again["documents_created"] == 0
        assert len(await item_ids(billing, cid)) == 1


async def test_approvals_need_distinct_users_and_edits_reset_them(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    billing.settings.approvals_required = 2
    try:
        _, cid = await customer(billing)
        did = (await api.post("/drafts", json={"customer_id": cid,
                                               "item_ids": await item_ids(billing, cid)},
                              headers=ANNA)).json()["draft_id"]
        assert (await api.post(f"/drafts/{did}/issue", json={"version": 1}, headers=ANNA)
                ).status_code == 409
        own = await api.post(f"/drafts/{did}/approve", json={"version": 1}, headers=ANNA)
        assert own.status_code == 409 and "created this draft" in own.json()["detail"]
        await api.post(f"/drafts/{did}/approve", json={"version": 1}, headers=BEN)
        twice = (await api.post(f"/drafts/{did}/approve", json={"version": 1},
                                headers=BEN)).json()
        assert twice["approvals"] == {"required": 2, "count": 1, "by": ["ben"],
                                      "complete": False}
        refused = await api.post(f"/drafts/{did}/issue", json={"version": 1}, headers=ANNA)
        assert refused.status_code == 409 and "has 1" in refused.json()["detail"]
        approved = (await api.post(f"/drafts/{did}/approve", json={"version": 1},
                                   headers=CARL)).json()
        assert approved["approvals"]["complete"] and approved["version"] == 1
        edited = (await api.patch(f"/drafts/{did}", json={"version": 1, "payment_days": 7},
                                  headers=CARL)).json()
        assert edited["approvals"]["count"] == 0  # an edit resets the approvals
        for who in (BEN, CARL):
            await api.post(f"/drafts/{did}/approve", json={"version": 2}, headers=who)
        issued = await api.post(f"/drafts/{did}/issue", json={"version": 2}, headers=ANNA)
        assert issued.status_code == 200 and issued.json()["status"] == "issued"
    finally:
        billing.settings.approvals_required = 0


async def test_stale_edits_conflict_with_the_current_version(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    _, cid = await customer(billing)
    did = (await api.post("/drafts", json={"customer_id": cid,
                                           "item_ids": await item_ids(billing, cid)},
                          headers=ANNA)).json()["draft_id"]
    first, second = await asyncio.gather(
        api.patch(f"/drafts/{did}", json={"version": 1, "payment_days": 7}, headers=ANNA),
        api.patch(f"/drafts/{did}", json={"version": 1, "payment_days": 60}, headers=BEN))
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    loser = first if first.status_code == 409 else second
    assert loser.json()["current_version"] == 2
    assert loser.headers["content-type"] == "application/problem+json"
    winner = (first if first.status_code == 200 else second).json()
    assert (await api.get(f"/drafts/{did}")).json()["presets"]["payment_days"] == (
        winner["presets"]["payment_days"])


async def test_bad_input_names_the_field_and_writes_nothing(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    c, cid = await customer(billing)
    empty = await api.post("/drafts", json={"customer_id": cid, "item_ids": []}, headers=ANNA)
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "item_ids"
    no_user = await api.post("/drafts", json={"customer_id": cid, "item_ids": []})
    assert no_user.status_code == 400 and "X-Affbill-User" in no_user.json()["title"]
    await ingest.apply_stat_rows(billing.uow(), [Envelope.wrap(row(c, "1009", "5").payload
                                                               .model_copy(update={
        "currency": "USD", "stat_key": f"{c}|usd"}))])
    mixed = await api.post("/drafts", json={"customer_id": cid,
                                            "item_ids": await item_ids(billing, cid)},
                           headers=ANNA)
    assert mixed.status_code == 422 and "more than one currency" in mixed.text
    custom = await api.post("/drafts/custom", json={"customer_id": cid, "lines": [
        {"description": "x", "quantity": "1.00001", "unit_price": "1.0000001",
         "vat_category": "XX"}]}, headers=ANNA)
    fields = {e["field"] for e in custom.json()["errors"]}
    assert custom.status_code == 422
    assert {"lines.0.quantity", "lines.0.unit_price", "lines.0.vat_category"} <= fields
    rate = await api.post("/drafts/custom", json={"customer_id": cid, "lines": [
        {"description": "x", "unit_price": "1", "vat_category": "AE", "vat_rate": "19"}]},
        headers=ANNA)
    assert rate.status_code == 422 and rate.json()["errors"][0]["field"] == "lines.0.vat_rate"
    assert (await api.post("/drafts/custom", json={"customer_id": cid, "lines": []},
                           headers=ANNA)).status_code == 422
    async with billing.engine.connect() as conn:
        assert await conn.scalar(text("select count(*) from invoices")) == 0
        assert await conn.scalar(text(
            "select count(*) from billable_items where draft_id is not null")) == 0


async def test_custom_invoice_and_its_cancellation(billing: Runtime,
                                                   api: httpx.AsyncClient) -> None:
    _, cid = await customer(billing)
    draft = (await api.post("/drafts/custom", json={"customer_id": cid,
        "supply_date": "2026-10-31", "lines": [
        {"description": "Setup fee", "unit_price": "250"},
        {"description": "Consulting", "quantity": "2.5", "unit_price": "80.10",
         "vat_category": "S", "vat_rate": "7"}]}, headers=ANNA)).json()
    assert draft["items"] == 0 and draft["totals"]["net"] == "450.25"
    assert draft["totals"]["tax"] == "61.52"  # 47.50 (19 % of 250) + 14.02 (7 % of 200.25)
    invoice = (await api.post(f"/drafts/{draft['draft_id']}/issue", json={"version": 1},
                              headers=ANNA)).json()
    cancel = await api.post(f"/invoices/{invoice['invoice_id']}/cancel", headers=BEN)
    assert cancel.status_code == 201, cancel.text
    c = cancel.json()
    assert c["number"] == "INV-2026-00002-S" and c["kind"] == "cancellation"
    assert c["document_type"] == "381" and c["totals"]["gross"] == "-511.77"
    assert c["document"]["preceding_invoice"]["number"] == invoice["number"]
    original = (await api.get(f"/invoices/{invoice['invoice_id']}")).json()
    assert original["status"] == "cancelled" and original["number"] == "INV-2026-00001"
    assert original["cancellation"]["number"] == "INV-2026-00002-S"
    assert original["document"] == invoice["document"]  # the issued document is untouched
    again = await api.post(f"/invoices/{invoice['invoice_id']}/cancel", headers=BEN)
    assert again.status_code == 409
    assert (await api.post(f"/invoices/{c['invoice_id']}/cancel", headers=BEN)
            ).status_code == 409


async def test_cancellation_numbering_and_returned_items(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    _, cid = await customer(billing)
    counts = await runs.process_selected(billing.uow, Envelope.wrap(ProcessSelected(
        run_id=uuid.uuid4(), customer_ids=[cid], requested_by="run")), billing.settings,
        dt.date(2026, 11, 2))
    assert counts["documents_created"] == 1
    async with billing.engine.connect() as conn:
        invoice_id = await conn.scalar(text("select invoice_id from invoices"))
    results = await asyncio.gather(*(api.post(f"/invoices/{invoice_id}/cancel", headers=who)
                                     for who in (ANNA, BEN, CARL)))
    assert sorted(r.status_code for r in results) == [201, 409, 409]  # at most once
    [made] = [r.json() for r in results if r.status_code == 201]
    assert made["number"] == "INV-2026-00002-S"  # same series, its own number, no gap
    assert made["totals"] == {"net": "-72.50", "tax": "-13.78", "gross": "-86.28"}
    assert len(await item_ids(billing, cid)) == 2  # back in the generator, open
    [cancelled] = [e.payload for e in await outbox(billing, topics.BILLING_INVOICES)
                   if e.type == "billing.invoice.cancelled"]
    assert cancelled.cancelled_invoice_id == invoice_id and cancelled.document.number == (
        "INV-2026-00002-S")
    assert cancelled.document.preceding_invoice.number == "INV-2026-00001"
    # billed again by the next run, with the next number
    again = await runs.process_selected(billing.uow, Envelope.wrap(ProcessSelected(
        run_id=uuid.uuid4(), customer_ids=[cid], requested_by="run")), billing.settings,
        dt.date(2026, 11, 2))
    assert again["documents_created"] == 1
    async with billing.engine.connect() as conn:
        numbers = (await conn.execute(text("select number from invoices order by number"))
                   ).scalars().all()
    assert numbers == ["INV-2026-00001", "INV-2026-00002-S", "INV-2026-00003"]
