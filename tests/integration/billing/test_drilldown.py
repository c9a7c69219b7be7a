"""An issued invoice drills down like a draft does, on the real database: its lines, each
line's billable items, and each item's stat rows (one per affiliate); the link stays after
Create, for run-made invoices too, and after a cancellation the snapshot still names the items."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import DAY
from tests.integration.billing.test_drafts import ANNA, BEN, customer, item_ids

pytestmark = pytest.mark.integration


async def test_an_issued_invoice_drills_down_to_lines_items_and_stat_rows(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    _, cid = await customer(billing)  # offer 20: 2 affiliates' rows; offer 21: one row
    items = await item_ids(billing, cid)
    draft = (await api.post("/drafts", json={"customer_id": cid, "item_ids": items},
                            headers=ANNA)).json()
    invoice = (await api.post(f"/drafts/{draft['draft_id']}/issue", json={"version": 1},
                              headers=ANNA)).json()
    iid = invoice["invoice_id"]

    lines = await api.get(f"/invoices/{iid}/lines")
    assert lines.status_code == 200, lines.text
    body = lines.json()
    assert body["number"] == invoice["number"] and body["currency"] == "EUR"
    assert [(x["line_no"], x["net_amount"], x["items"]) for x in body["items"]] == [
        (1, "62.50", 1), (2, "10.00", 1)]
    assert all("item_ids" not in x for x in body["items"])

    billed = (await api.get(f"/invoices/{iid}/items")).json()
    assert billed["total"] == 2 and billed["missing"] == 0
    assert sorted(i["item_id"] for i in billed["items"]) == sorted(items)
    assert {i["state"] for i in billed["items"]} == {"invoiced"}
    assert {i["invoice_id"] for i in billed["items"]} == {iid}
    first_line = (await api.get(f"/invoices/{iid}/items", params={"line_no": 1})).json()
    assert [(i["offer_id"], i["day"], i["units"], i["revenue"]) for i in first_line["items"]
            ] == [("20", DAY.isoformat(), 5, "62.50")]

    rows = (await api.get(f"/items/{first_line['items'][0]['item_id']}/stat-rows")).json()
    assert rows["item"]["revenue"] == "62.50" and rows["total"] == 2
    assert sorted(r["revenue"] for r in rows["items"]) == ["25.00", "37.50"]
    assert sum(r["units"] for r in rows["items"]) == 5
    second = (await api.get(f"/invoices/{iid}/items", params={"line_no": 2})).json()
    assert second["items"][0]["day"] == (DAY + dt.timedelta(days=1)).isoformat()

    # cancelled: the items return to the generator, the invoice still names them
    assert (await api.post(f"/invoices/{iid}/cancel", headers=BEN)).status_code == 201
    after = (await api.get(f"/invoices/{iid}/items")).json()
    assert after["total"] + after["missing"] == 2
    assert {i["state"] for i in after["items"]} <= {"open"}


async def test_drill_down_names_what_is_not_there(billing: Runtime, api: httpx.AsyncClient
                                                  ) -> None:
    _, cid = await customer(billing)
    draft = (await api.post("/drafts/custom", json={"customer_id": cid,
        "supply_date": "2026-10-31", "lines": [{"description": "Setup fee",
                                                "unit_price": "250"}]},
        headers=ANNA)).json()
    gone = await api.get(f"/invoices/{draft['draft_id']}/lines")
    assert gone.status_code == 404  # a draft is not an issued document: GET /drafts/{id}
    invoice = (await api.post(f"/drafts/{draft['draft_id']}/issue", json={"version": 1},
                              headers=ANNA)).json()
    free = (await api.get(f"/invoices/{invoice['invoice_id']}/items")).json()
    assert free["total"] == 0 and free["items"] == []  # a free line bills no items
    no_line = await api.get(f"/invoices/{invoice['invoice_id']}/items", params={"line_no": 9})
    assert no_line.status_code == 404 and "no line 9" in no_line.text
    unknown = await api.get("/items/00000000-0000-4000-8000-000000000000/stat-rows")
    assert unknown.status_code == 404
    bad = await api.get("/items/not-an-id/stat-rows")
    assert bad.status_code == 422
