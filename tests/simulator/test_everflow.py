"""Everflow wire format: 401, listings, exact numbers, the 10,000-row cap, 429s, conversions."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from affbill_contracts.vat_ids import vat_id_problem
from affbill_simulator.app import create_app
from tests.simulator.conftest import (
    EF_KEY,
    SCALE,
    all_stats,
    client,
    ho,
    ho_response,
    key,
    window,
)

TABLE = "/v1/networks/reporting/entity/table"
COLUMNS = [{"column": c} for c in ("date", "advertiser", "offer", "affiliate", "currency")]


def exact(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return json.loads(response.content, parse_float=Decimal)


async def report(c: httpx.AsyncClient, date_from: str = "2026-03-01", date_to: str = "2026-03-05"
                 ) -> httpx.Response:
    return await c.post(TABLE, headers=EF_KEY, json={
        "from": date_from, "to": date_to, "timezone_id": 90, "columns": COLUMNS,
        "query": {"filters": []}})


async def test_wrong_or_missing_key_is_401(sim: httpx.AsyncClient) -> None:
    for headers in ({}, {"X-Eflow-API-Key": "nope"}):
        r = await sim.get("/v1/networks/advertisers", headers=headers)
        assert (r.status_code, r.json()) == (401, {"Error": "Unauthorized"})
        assert (await sim.post(TABLE, headers=headers, json={})).status_code == 401


async def test_listings_and_paging(sim: httpx.AsyncClient) -> None:
    body = exact(await sim.get("/v1/networks/advertisers", params={"page": 2, "page_size": 2},
                               headers=EF_KEY))
    assert body["paging"] == {"page": 2, "page_size": 2, "total_count": 3}
    [adv] = body["advertisers"]
    assert adv["network_advertiser_id"] == 3 and isinstance(adv["network_employee_id"], int)
    assert adv["account_status"] in {"active", "inactive", "suspended"}
    assert set(adv["contact_address"]) == {"address_1", "address_2", "city", "region_code",
                                           "country_code", "zip_postal_code"}
    tax_id = adv["billing"]["tax_id"]  # None: an EU partner without id, or outside the EU
    country = adv["contact_address"]["country_code"]
    assert tax_id is None or vat_id_problem(tax_id, country) is None
    affiliates = exact(await sim.get("/v1/networks/affiliates", headers=EF_KEY))["affiliates"]
    assert [a["network_affiliate_id"] for a in affiliates] == [1001, 1002, 1003, 1004]
    employees = exact(await sim.get("/v1/networks/employees", headers=EF_KEY))
    assert employees["paging"]["total_count"] == 3
    assert set(employees["employees"][0]) == {"network_employee_id", "first_name", "last_name",
                                              "email", "account_status"}
    # the same partners as on HasOffers
    ho_adv = (await ho_response(sim, ho("Advertiser", "findAll")))["data"]["3"]["Advertiser"]
    assert (ho_adv["company"], ho_adv["account_manager_id"], ho_adv["city"]) == (
        adv["name"], str(adv["network_employee_id"]), adv["contact_address"]["city"])


async def test_table_has_the_hasoffers_rows_as_exact_numbers(sim: httpx.AsyncClient) -> None:
    raw = await report(sim)
    body = exact(raw)
    assert body["incomplete_results"] is False and len(body["table"]) == 50
    row = body["table"][0]
    assert [c["column_type"] for c in row["columns"]] == ["date", "advertiser", "offer",
                                                          "affiliate", "currency"]
    assert set(row["reporting"]) == {"cv", "revenue", "payout", "total_click", "imp"}
    assert b'"revenue":"' not in raw.content  # numbers, not strings
    ef = {tuple(c["id"] for c in r["columns"]): (r["reporting"]["cv"], r["reporting"]["revenue"],
                                                 r["reporting"]["payout"]) for r in body["table"]}
    ho_rows = {key(s): (int(s["conversions"]), Decimal(s["revenue"]), Decimal(s["payout"]))
               for s in await all_stats(sim)}
    assert ef == ho_rows
    assert body["summary"]["revenue"] == sum(v[1] for v in ef.values())
    names = (await ho_response(sim, ho("Advertiser", "findAll")))["data"]
    adv = row["columns"][1]
    assert adv["label"] == names[adv["id"]]["Advertiser"]["company"]


async def test_more_than_10000_rows_are_cut_and_flagged() -> None:
    big = SCALE.model_copy(update={"advertisers": 20, "affiliates": 200, "rows_per_day": 3000})
    async with client(create_app(big)) as c:
        body = exact(await report(c))
        assert len(body["table"]) == 10_000 and body["incomplete_results"] is True
        assert [r["columns"][0]["id"] for r in body["table"]][-1] == "2026-03-04"
        small = exact(await report(c, "2026-03-01", "2026-03-03"))
        assert len(small["table"]) == 9000 and small["incomplete_results"] is False


async def test_rate_limit_is_429_with_headers() -> None:
    async with client(create_app(SCALE, rate_limit=3)) as c:
        codes = [(await c.get("/v1/networks/employees", headers=EF_KEY)) for _ in range(4)]
    assert [r.status_code for r in codes] == [200, 200, 200, 429]
    refused = codes[3].headers
    assert (refused["X-RateLimit-Limit"], refused["X-RateLimit-Remaining"]) == ("3", "0")
    assert 1 <= int(refused["X-RateLimit-Reset"]) <= 10
    assert refused["Retry-After"] == refused["X-RateLimit-Reset"]


async def test_the_11th_concurrent_reporting_call_is_429() -> None:
    app = create_app(SCALE)
    async with client(app) as c:
        # ten slow reports hold their slots while the eleventh arrives
        await c.post("/control/faults", json={"kind": "timeout", "times": 10, "seconds": 0.5,
                                              "path_contains": "reporting"})
        slow = [asyncio.create_task(report(c)) for _ in range(10)]
        while app.state.sim.reporting_in_flight < 10:  # noqa: ASYNC110 polls simulator state
            await asyncio.sleep(0.01)
        eleventh = await report(c)
        assert eleventh.status_code == 429 and eleventh.headers["Retry-After"]
        assert [r.status_code for r in await asyncio.gather(*slow)] == [200] * 10
        assert (await report(c)).status_code == 200


async def test_conversions_match_hasoffers(sim: httpx.AsyncClient) -> None:
    body = exact(await sim.post("/v1/networks/reporting/conversions",
                                params={"page": 1, "page_size": 500}, headers=EF_KEY, json={
        "from": "2026-03-01", "to": "2026-03-05", "timezone_id": 90,
        "query": {"filters": [{"filter_id_value": "pending", "resource_type": "status"}]}}))
    ho_rows = (await ho_response(sim, ho(method="getConversions", limit=500) + window() + [
        ("filters[Stat.status]", "pending")]))["data"]["data"]
    assert body["paging"]["total_count"] == len(ho_rows) == len(body["conversions"]) > 0
    zone = ZoneInfo("Europe/Berlin")
    for ef, row in zip(body["conversions"], ho_rows, strict=True):
        c = row["Stat"]
        local = dt.datetime.fromisoformat(c["datetime"]).replace(tzinfo=zone)
        assert ef["conversion_unix_timestamp"] == int(local.timestamp())
        assert (ef["conversion_id"], ef["status"], ef["currency_id"]) == (
            c["id"], "pending", c["currency"])
        assert (ef["revenue"], ef["payout"]) == (Decimal(c["revenue"]), Decimal(c["payout"]))
        rel = ef["relationship"]
        assert (rel["advertiser"]["network_advertiser_id"], rel["offer"]["network_offer_id"],
                rel["affiliate"]["network_affiliate_id"]) == (
            int(c["advertiser_id"]), int(c["offer_id"]), int(c["affiliate_id"]))


async def test_bad_body_is_400(sim: httpx.AsyncClient) -> None:
    r = await sim.post(TABLE, headers=EF_KEY, json={"from": "yesterday", "to": "2026-03-05"})
    assert r.status_code == 400
