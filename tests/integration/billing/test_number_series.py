"""Number series as data on the real database: created and edited through the API, a
series that numbered documents keeps its format, a yearly series starts again in a new
year (gapless per year), and a profile's credit notes and cancellations take their own
series."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest

from affbill_billing.service_layer import issuing
from affbill_runtime.runtime import Runtime
from tests.integration.billing.test_drafts import ANNA
from tests.integration.billing.test_vat import customer_in, issued, run

pytestmark = pytest.mark.integration


async def series(api: httpx.AsyncClient, **fields: object) -> str:
    name = f"s-{uuid.uuid4().hex[:6]}"
    made = await api.post("/number-series", json={"series": name, **fields}, headers=ANNA)
    assert made.status_code == 201, made.text
    return name


async def test_a_series_is_data_and_keeps_its_format_once_used(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    name = await series(api, prefix="RE-{yyyy}/", padding=3, start=100, suffix="-X")
    shown = (await api.get(f"/number-series/{name}")).json()
    assert shown["example"].endswith("/100-X") and shown["issued"] is False
    assert (await api.patch(f"/number-series/{name}", json={"padding": 4}, headers=ANNA)
            ).status_code == 200
    bad = await api.patch(f"/number-series/{name}", json={"reset": "yearly", "prefix": "R-"},
                          headers=ANNA)
    assert bad.status_code == 422 and "reset" in bad.text and "{yyyy}" in bad.text
    cid = await customer_in(billing, "DE", None)
    assert (await api.patch(f"/customers/{cid}/profile", json={"number_series": name},
                            headers=ANNA)).status_code == 200
    await run(billing, cid)
    [doc] = await issued(billing, cid)
    assert doc.number == "RE-2026/0100-X"
    locked = await api.patch(f"/number-series/{name}", json={"prefix": "NEW-"}, headers=ANNA)
    assert locked.status_code == 422 and "prefix" in locked.text
    assert "numbered documents" in locked.text
    same = await api.patch(f"/number-series/{name}", json={"padding": 4}, headers=ANNA)
    assert same.status_code == 200  # no change of format is no change


async def test_corrections_take_the_profiles_own_series(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    cancellations = await series(api, prefix="ST-{yyyy}-", padding=4)
    cid = await customer_in(billing, "DE", None)
    assert (await api.patch(f"/customers/{cid}/profile", json={
        "cancellation_series": cancellations}, headers=ANNA)).status_code == 200
    await run(billing, cid)
    [invoice] = await issued(billing, cid)
    cancellation, _ = await issuing.cancel_invoice(billing.uow, invoice.invoice_id, "anna",
                                                   billing.settings, dt.date(2026, 11, 3))
    assert cancellation.number == "ST-2026-0001"  # its own series: no correction suffix
    unknown = await api.patch(f"/customers/{cid}/profile", json={
        "credit_note_series": "nope"}, headers=ANNA)
    assert unknown.status_code == 422 and "credit_note_series" in unknown.text


async def test_a_yearly_series_starts_again_in_a_new_year(billing: Runtime,
                                                          api: httpx.AsyncClient) -> None:
    name = await series(api, prefix="Y{yyyy}-", padding=3, reset="yearly")
    numbers = []
    for day in (dt.date(2026, 12, 30), dt.date(2026, 12, 31), dt.date(2027, 1, 2)):
        cid = await customer_in(billing, "DE", None)
        await api.patch(f"/customers/{cid}/profile", json={"number_series": name},
                        headers=ANNA)
        draft = (await api.post("/drafts/custom", json={
            "customer_id": cid, "supply_date": "2026-10-31", "lines": [
            {"description": "Setup fee", "unit_price": "100"}]}, headers=ANNA)).json()
        document, _ = await issuing.issue_draft(billing.uow, uuid.UUID(draft["draft_id"]), 1,
                                                "anna", billing.settings, day)
        numbers.append(document.number)
    assert numbers == ["Y2026-001", "Y2026-002", "Y2027-001"]



async def test_a_late_document_continues_its_own_years_counter(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    """A yearly series in 2027 still numbers a Create dated in December 2026 from 2026's
    counter (read from 2026's numbers once, then kept), gapless within 2026."""
    name = await series(api, prefix="B{yyyy}-", padding=3, reset="yearly")
    numbers = []
    for day in (dt.date(2026, 12, 30), dt.date(2026, 12, 31), dt.date(2027, 1, 2),
                dt.date(2026, 12, 31), dt.date(2027, 1, 3), dt.date(2026, 12, 31)):
        cid = await customer_in(billing, "DE", None)
        await api.patch(f"/customers/{cid}/profile", json={"number_series": name},
                        headers=ANNA)
        draft = (await api.post("/drafts/custom", json={
            "customer_id": cid, "supply_date": "2026-10-31", "lines": [
            {"description": "Setup fee", "unit_price": "100"}]}, headers=ANNA)).json()
        document, _ = await issuing.issue_draft(billing.uow, uuid.UUID(draft["draft_id"]), 1,
                                                "anna", billing.settings, day)
        numbers.append(document.number)
    assert numbers == ["B2026-001", "B2026-002", "B2027-001", "B2026-003", "B2027-002",
                       "B2026-004"]


async def test_an_entitys_default_series_numbers_its_customers_invoices(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    """Point 6: a profile left at the shipped series `default` whose entity names a default
    series is numbered from the entity's series, in a run and by Create; a profile naming
    its own series keeps it; an unknown series is refused at the entity."""
    from tests.integration.billing.test_seller_entities import irish_ltd

    own = await series(api, prefix="IE{yyyy}-", padding=3)
    name = f"ie-{uuid.uuid4().hex[:6]}"
    refused = await api.post("/seller-entities", json={**irish_ltd(name),
                                                        "number_series": "no-such"},
                             headers=ANNA)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == \
        "number_series"
    made = await api.post("/seller-entities", json={**irish_ltd(name), "number_series": own},
                          headers=ANNA)
    assert made.status_code == 201, made.text
    assert made.json()["number_series"] == own
    by_run, by_hand, kept = [await customer_in(billing, "IE", None) for _ in range(3)]
    for cid in (by_run, by_hand, kept):
        await api.patch(f"/customers/{cid}/profile", json={"seller_entity": name},
                        headers=ANNA)
    other = await series(api, prefix="OWN-", padding=2)
    await api.patch(f"/customers/{kept}/profile", json={"number_series": other},
                    headers=ANNA)
    assert (await run(billing, by_run))["documents_created"] == 1
    assert (await run(billing, kept))["documents_created"] == 1
    draft = (await api.post("/drafts/custom", json={
        "customer_id": by_hand, "supply_date": "2026-10-31", "lines": [
            {"description": "Setup fee", "unit_price": "100"}]}, headers=ANNA)).json()
    document, _ = await issuing.issue_draft(billing.uow, uuid.UUID(draft["draft_id"]), 1,
                                            "anna", billing.settings)
    [ran] = await issued(billing, by_run)
    [mine] = await issued(billing, kept)
    year = document.issue_date.year
    assert (ran.number, document.number) == (f"IE{ran.issue_date.year}-001", f"IE{year}-002")
    assert mine.number == "OWN-01"
