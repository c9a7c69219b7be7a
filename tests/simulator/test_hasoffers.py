"""TUNE/HasOffers wire format.

Envelope, paging edges, strings with 5 decimals, token, rate limit.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import httpx

from affbill_simulator.app import create_app
from tests.simulator.conftest import (
    END,
    SCALE,
    all_stats,
    client,
    ho,
    ho_response,
    key,
    stat_page,
    window,
)

MONEY = re.compile(r"^-?[0-9]+\.[0-9]{5}$")


async def test_same_seed_and_scale_give_the_same_bytes() -> None:
    bodies = []
    for _ in range(2):
        async with client(create_app(SCALE)) as c:
            bodies.append([(await c.get("/Apiv3/json", params=p)).content for p in (
                ho(limit=7, page=2) + window(), ho("Advertiser", "findAll"),
                ho(method="getConversions", limit=5) + window())])
    assert bodies[0] == bodies[1]
    async with client(create_app(SCALE.model_copy(update={"seed": 4}))) as c:
        assert (await c.get("/Apiv3/json", params=ho(limit=7, page=2) + window())).content != \
            bodies[0][0]


async def test_envelope_echoes_the_request_without_the_token(sim: httpx.AsyncClient) -> None:
    body = (await sim.get("/Apiv3/json", params=ho(limit=3) + window()
                          + [("fields[]", "Stat.date"), ("fields[]", "Stat.revenue")])).json()
    assert body["request"] == {
        "Target": "Report", "Method": "getStats", "limit": "3",
        "filters[Stat.date][conditional]": "BETWEEN",
        "filters[Stat.date][values][]": ["2026-03-01", "2026-03-05"],
        "fields[]": ["Stat.date", "Stat.revenue"]}
    answer = body["response"]
    assert (answer["status"], answer["httpStatus"], answer["errors"], answer["errorMessage"]) == (
        1, 200, [], None)
    assert [set(r["Stat"]) for r in answer["data"]["data"]] == [{"date", "revenue"}] * 3


async def test_stat_rows_are_strings_with_5_decimals_in_report_order(
        sim: httpx.AsyncClient) -> None:
    rows = (await stat_page(sim, 100, 1))["data"]
    assert len(rows) == 50
    for row in rows:
        stat = row["Stat"]
        assert set(stat) == {"date", "advertiser_id", "offer_id", "affiliate_id", "currency",
                             "conversions", "revenue", "payout"}
        assert all(isinstance(v, str) for v in stat.values())
        assert MONEY.match(stat["revenue"]) and MONEY.match(stat["payout"])
        assert row["Offer"]["name"] == f"Offer {stat['offer_id']} CPS"
    order = [(s["date"], int(s["advertiser_id"]), int(s["offer_id"]), int(s["affiliate_id"]),
              s["currency"]) for s in (r["Stat"] for r in rows)]
    assert order == sorted(order) and len(set(order)) == 50


async def test_paging_edges(sim: httpx.AsyncClient) -> None:
    first = await stat_page(sim, 20, 1)
    assert (first["page"], first["current"], first["count"], first["pageCount"]) == (1, 20, 50, 3)
    last = await stat_page(sim, 20, 3)
    assert (last["page"], last["current"], len(last["data"])) == (3, 10, 10)  # partial last page
    beyond = await stat_page(sim, 20, 4)
    assert (beyond["current"], beyond["count"], beyond["data"]) == (0, 50, [])
    empty = await stat_page(sim, 20, 1, END + dt.timedelta(days=10), END + dt.timedelta(days=20))
    assert (empty["current"], empty["count"], empty["pageCount"], empty["data"]) == (0, 0, 0, [])
    # pages of 7 (crossing day boundaries) read the same rows as one page of 100
    assert [key(s) for s in await all_stats(sim, 7)] == [
        key(r["Stat"]) for r in (await stat_page(sim, 100, 1))["data"]]


async def test_without_limit_the_first_1000_rows_come_bare() -> None:
    big = SCALE.model_copy(update={"advertisers": 20, "affiliates": 30, "rows_per_day": 300})
    async with client(create_app(big)) as c:
        data = (await ho_response(c, ho() + window()))["data"]
        assert isinstance(data, list) and len(data) == 1000
        one_day = (await ho_response(c, ho() + [("filters[Stat.date]", "2026-03-02")]))["data"]
        assert len(one_day) == 300 and {r["Stat"]["date"] for r in one_day} == {"2026-03-02"}


async def test_partner_lists_keyed_by_id(sim: httpx.AsyncClient) -> None:
    employees = (await ho_response(sim, ho("Employee", "findAll")))["data"]
    assert list(employees) == ["1", "2", "3"]
    assert set(employees["2"]["Employee"]) == {"id", "first_name", "last_name", "email",
                                               "status"}
    advertisers = (await ho_response(sim, ho("Advertiser", "findAll", limit=2, page=2)))["data"]
    assert (advertisers["count"], advertisers["current"],
            list(advertisers["data"])) == (3, 1, ["3"])
    adv = advertisers["data"]["3"]["Advertiser"]
    assert set(adv) == {"id", "company", "status", "account_manager_id", "address1", "address2",
                        "city", "region", "country", "zipcode", "phone", "currency", "ref_id",
                        "vat_id"}
    assert adv["status"] in {"active", "pending", "blocked", "deleted"}
    assert adv["currency"] in {None, "USD", "GBP", "CHF"}  # null: the network's EUR
    assert 1 <= int(adv["account_manager_id"]) <= 3
    affiliates = (await ho_response(sim, ho("Affiliate", "findAll")))["data"]
    assert list(affiliates) == ["1001", "1002", "1003", "1004"]
    assert affiliates["1004"]["Affiliate"]["payment_method"] == "wire"


async def test_grouped_totals_equal_the_detail_rows(sim: httpx.AsyncClient) -> None:
    groups = [("groups[]", g) for g in ("Stat.date", "Stat.advertiser_id", "Stat.currency")]
    fields = [("fields[]", f) for f in ("Stat.date", "Stat.advertiser_id", "Stat.currency",
                                         "Stat.revenue", "Stat.conversions")]
    totals = (await ho_response(sim, ho(limit=1000) + groups + fields + window()))["data"]["data"]
    expected: dict[tuple[str, str, str], Decimal] = {}
    for s in await all_stats(sim):
        k = (s["date"], s["advertiser_id"], s["currency"])
        expected[k] = expected.get(k, Decimal(0)) + Decimal(s["revenue"])
    assert {(t["Stat"]["date"], t["Stat"]["advertiser_id"], t["Stat"]["currency"]):
            Decimal(t["Stat"]["revenue"]) for t in totals} == expected
    odd = await ho_response(sim, ho(limit=10) + [("groups[]", "Stat.offer_id")] + window())
    assert odd["status"] == -1 and "groups" in odd["errorMessage"]


async def test_conversions_with_status_filter(sim: httpx.AsyncClient) -> None:
    data = (await ho_response(sim, ho(method="getConversions", limit=100) + window() + [
        ("filters[Stat.status][conditional]", "EQUAL_TO"),
        ("filters[Stat.status][values][]", "pending")]))["data"]
    assert data["count"] > 0
    for row in data["data"]:
        c = row["Stat"]
        assert c["status"] == "pending" and c["id"].startswith("c-")
        assert MONEY.match(c["revenue"]) and MONEY.match(c["payout"])
        assert re.match(r"^2026-03-0[1-5] \d\d:\d\d:\d\d$", c["datetime"])


async def test_invalid_token_and_unknown_method(sim: httpx.AsyncClient) -> None:
    bad = await ho_response(sim, ho(token="wrong"))
    assert (bad["status"], bad["data"], bad["errorMessage"]) == (-1, "", "Invalid NetworkToken")
    missing = await ho_response(sim, [("Target", "Report"), ("Method", "getStats")])
    assert missing["status"] == -1
    unknown = await ho_response(sim, ho("Offer", "explode"))
    assert unknown["status"] == -1 and "Offer::explode" in unknown["errorMessage"]
    assert (await ho_response(sim, ho(limit="many")))["status"] == -1


async def test_rate_limit_answers_in_the_body() -> None:
    async with client(create_app(SCALE, rate_limit=2)) as c:
        answers = [await ho_response(c, ho(limit=1) + window()) for _ in range(3)]
    assert [a["status"] for a in answers] == [1, 1, 0]
    assert answers[2]["data"] == "" and answers[2]["httpStatus"] == 200
    assert answers[2]["errorMessage"] == (
        "API usage exceeded rate limit. Configured: 2/10s window; Current usage: 3")
