"""The control API: restatements, conversion moves, faults, request log, truth, reset."""

from __future__ import annotations

import time
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import pytest

from affbill_simulator.app import create_app
from tests.simulator.conftest import (
    EF_KEY,
    SCALE,
    all_stats,
    client,
    ho,
    ho_response,
    key,
    stat_page,
    window,
)


def sums(stats: list[dict[str, str]]) -> dict[tuple[str, str], tuple[Decimal, int]]:
    out: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [Decimal(0), 0])
    for s in stats:
        out[(s["advertiser_id"], s["currency"])][0] += Decimal(s["revenue"])
        out[(s["advertiser_id"], s["currency"])][1] += int(s["conversions"])
    return {k: (v[0], v[1]) for k, v in out.items()}


async def truth(sim: httpx.AsyncClient,
                **params: str) -> dict[tuple[str, str], tuple[Decimal, int]]:
    rows = (await sim.get("/control/truth", params=params)).json()
    return {(t["advertiser_id"], t["currency"]): (Decimal(t["revenue"]), t["conversions"])
            for t in rows}


async def test_truth_is_the_sum_of_the_served_rows(sim: httpx.AsyncClient) -> None:
    await stat_page(sim, 20, 2)  # pages read out of order must not skew the cached totals
    served = sums(await all_stats(sim))
    assert await truth(sim, date_from="2026-03-01", date_to="2026-03-05") == served
    assert await truth(sim) == served  # default window: the scale's days
    assert await truth(sim, advertiser_id="2") == {k: v for k, v in served.items() if k[0] == "2"}
    one_day = sums([s for s in await all_stats(sim) if s["date"] == "2026-03-02"])
    assert await truth(sim, date_from="2026-03-02", date_to="2026-03-02") == one_day


async def test_restatement_changes_removes_and_adds_rows(sim: httpx.AsyncClient) -> None:
    before = await all_stats(sim)
    changed, removed = before[0], before[1]
    added = {**{k: changed[k] for k in ("date", "advertiser_id", "offer_id", "currency")},
             "affiliate_id": "1999", "revenue": "1.00000", "conversions": 2}
    answer = await sim.post("/control/restate", json={"changes": [
        {**key_of(changed), "revenue": "42.123456"}, {**key_of(removed), "removed": True},
        added]})
    assert answer.json() == {"restated": 3}
    after = await all_stats(sim)
    by_key = {key(s): s for s in after}
    assert len(after) == len(by_key) == 50  # one gone, one new
    assert by_key[key(changed)]["revenue"] == "42.12346"  # stored with 5 decimals
    # the payout follows the revenue in proportion (as adtrackers restate conversions)
    share = Decimal(changed["payout"]) * Decimal("42.12346") / Decimal(changed["revenue"])
    assert by_key[key(changed)]["payout"] == str(share.quantize(Decimal("0.00001"),
                                                                ROUND_HALF_UP))
    assert key(removed) not in by_key
    new = by_key[(changed["date"], changed["advertiser_id"], changed["offer_id"], "1999",
                  changed["currency"])]
    assert (new["revenue"], new["payout"], new["conversions"]) == ("1.00000", "0.80000", "2")
    order = [(s["date"], int(s["advertiser_id"]), int(s["offer_id"]), int(s["affiliate_id"]),
              s["currency"]) for s in after]
    assert order == sorted(order)
    # paging stays consistent: pages of 7 read what one big page reads
    assert [key(r["Stat"]) for r in (await stat_page(sim, 100, 1))["data"]] == [
        key(s) for s in after]
    assert await truth(sim) == sums(after)
    ef = (await sim.post("/v1/networks/reporting/entity/table", headers=EF_KEY,
                         json={"from": "2026-03-01", "to": "2026-03-05"})).json()["table"]
    assert {tuple(c["id"] for c in r["columns"]) for r in ef} == set(by_key)


def key_of(stat: dict[str, str]) -> dict[str, str]:
    return {k: stat[k] for k in ("date", "advertiser_id", "offer_id", "affiliate_id", "currency")}


async def test_conversion_status_transitions(sim: httpx.AsyncClient) -> None:
    pending = (await sim.get("/control/conversions", params={"status": "pending"})).json()
    first, second = pending[0]["conversion_id"], pending[1]["conversion_id"]

    async def move(cid: str, status: str) -> int:
        return (await sim.post(f"/control/conversions/{cid}/status",
                               json={"status": status})).status_code

    assert await move(first, "approved") == 200
    assert await move(first, "pending") == 409
    assert await move(first, "rejected") == 200
    assert await move(first, "approved") == 409
    assert await move(second, "rejected") == 200
    assert await move("c-999999", "approved") == 404
    assert await move(first, "paid") == 422
    rows = (await ho_response(sim, ho(method="getConversions", limit=1000) + window()))["data"]
    statuses = {r["Stat"]["id"]: r["Stat"]["status"] for r in rows["data"]}
    assert (statuses[first], statuses[second]) == ("rejected", "rejected")


async def test_everflow_invalid_shows_as_rejected_on_hasoffers(sim: httpx.AsyncClient) -> None:
    cid = (await sim.get("/control/conversions", params={"status": "pending"})).json()[0][
        "conversion_id"]
    assert (await sim.post(f"/control/conversions/{cid}/status",
                           json={"status": "invalid"})).status_code == 200
    rows = (await ho_response(sim, ho(method="getConversions", limit=1000) + window() + [
        ("filters[Stat.status]", "rejected")]))["data"]["data"]
    assert cid in {r["Stat"]["id"] for r in rows}


@pytest.mark.parametrize("kind", ["http_500", "http_504", "rate_limit"])
async def test_transport_faults_hit_the_next_matching_requests(sim: httpx.AsyncClient,
                                                               kind: str) -> None:
    await sim.post("/control/faults", json={"kind": kind, "times": 2, "path_contains": "getStats"})
    other = await sim.get("/Apiv3/json", params=ho("Employee", "findAll"))
    assert other.json()["response"]["status"] == 1  # not matching: untouched
    answers = [await sim.get("/Apiv3/json", params=ho(limit=5) + window()) for _ in range(3)]
    if kind == "rate_limit":
        assert [a.json()["response"]["status"] for a in answers] == [0, 0, 1]
    else:
        assert [a.status_code for a in answers] == [int(kind[-3:])] * 2 + [200]
    outcome = "rate_limited" if kind == "rate_limit" else f"fault:{kind}"
    log = (await sim.get("/control/requests")).json()
    assert [r["outcome"] for r in log] == ["ok", outcome, outcome, "ok"]
    await sim.post("/control/faults", json={"kind": kind, "path_contains": "entity/table"})
    ef = await sim.post("/v1/networks/reporting/entity/table", headers=EF_KEY,
                        json={"from": "2026-03-01", "to": "2026-03-05"})
    assert ef.status_code == (429 if kind == "rate_limit" else int(kind[-3:]))


async def test_timeout_fault_answers_after_the_given_seconds(sim: httpx.AsyncClient) -> None:
    await sim.post("/control/faults", json={"kind": "timeout", "seconds": 0.3})
    started = time.monotonic()
    late = await sim.get("/Apiv3/json", params=ho(limit=1) + window())
    assert time.monotonic() - started >= 0.3 and late.json()["response"]["status"] == 1
    started = time.monotonic()
    await sim.get("/Apiv3/json", params=ho(limit=1) + window())
    assert time.monotonic() - started < 0.3  # used up
    assert [r["outcome"] for r in (await sim.get("/control/requests")).json()] == [
        "fault:timeout", "ok"]


@pytest.mark.parametrize(("row", "expected"), [
    ({"field": "revenue", "value": "abc"}, ("revenue", "abc")),
    ({"field": "currency", "value": "XXX"}, ("currency", "XXX")),
    ({"field": "advertiser_id"}, ("advertiser_id", None)),  # no value: the field is missing
])
async def test_malformed_row_corrupts_one_row_once(sim: httpx.AsyncClient, row: dict[str, Any],
                                                   expected: tuple[str, Any]) -> None:
    field, value = expected
    await sim.post("/control/faults", json={"kind": "malformed_row", "path_contains": "getStats",
                                            "row": row})
    beyond = await stat_page(sim, 50, 9)  # an empty page does not use the fault up
    assert beyond["data"] == []
    first = (await stat_page(sim, 5, 1))["data"]
    assert first[0]["Stat"].get(field) == value
    assert all(r["Stat"].get(field) not in (None, "abc", "XXX") for r in first[1:])
    again = (await stat_page(sim, 5, 1))["data"]
    assert again[0]["Stat"].get(field) not in (None, "abc", "XXX")


async def test_malformed_row_on_everflow(sim: httpx.AsyncClient) -> None:
    await sim.post("/control/faults", json={"kind": "malformed_row", "path_contains": "table",
                                            "row": {"field": "currency", "value": "XXX"}})
    await sim.post("/control/faults", json={"kind": "malformed_row", "path_contains": "table",
                                            "row": {"field": "revenue", "value": "abc"}})
    body = {"from": "2026-03-01", "to": "2026-03-05"}
    first = (await sim.post("/v1/networks/reporting/entity/table", headers=EF_KEY,
                            json=body)).json()["table"][0]
    assert first["columns"][4]["id"] == "XXX"
    second = (await sim.post("/v1/networks/reporting/entity/table", headers=EF_KEY,
                             json=body)).json()["table"][0]
    assert second["reporting"]["revenue"] == "abc"


async def test_request_log_since_and_clear(sim: httpx.AsyncClient) -> None:
    await sim.get("/Apiv3/json", params=ho(limit=1) + window())
    await sim.get("/Apiv3/json", params=ho(token="bad"))
    await sim.get("/v1/networks/employees", headers=EF_KEY)
    log = (await sim.get("/control/requests")).json()
    assert [(r["seq"], r["method"], r["path"], r["status"], r["outcome"]) for r in log] == [
        (1, "GET", "/Apiv3/json", 200, "ok"), (2, "GET", "/Apiv3/json", 200, "unauthorized"),
        (3, "GET", "/v1/networks/employees", 200, "ok")]
    assert "Method=getStats" in log[0]["query"] and log[0]["at"]
    assert [r["seq"] for r in (await sim.get("/control/requests", params={"since": 2})).json()
            ] == [3]
    await sim.delete("/control/requests")
    assert (await sim.get("/control/requests")).json() == []
    await sim.get("/v1/networks/employees", headers=EF_KEY)
    assert [r["seq"] for r in (await sim.get("/control/requests")).json()] == [4]


async def test_reset_reseeds_and_clears_everything(sim: httpx.AsyncClient) -> None:
    before = await all_stats(sim)
    await sim.post("/control/restate", json={"changes": [{**key_of(before[0]), "removed": True}]})
    await sim.post("/control/faults", json={"kind": "http_500"})
    scale = SCALE.model_dump(mode="json")
    r = await sim.post("/control/reset", json={**scale, "seed": 99, "rows_per_day": 4})
    assert r.status_code == 200 and r.json()["seed"] == 99
    assert (await sim.get("/control/requests")).json() == []
    assert len(await all_stats(sim)) == 20  # no fault, no override, the new scale
    await sim.post("/control/reset", json=scale)
    assert await all_stats(sim) == before
    assert (await sim.post("/control/reset", json={"advertisers": 0})).status_code == 422
    assert (await sim.post("/control/reset", json={"colour": "red"})).status_code == 422


async def test_control_answers_loopback_clients_only() -> None:
    async with client(create_app(SCALE), client=("192.0.2.7", 4000)) as c:
        assert (await c.get("/control/requests")).status_code == 403
        assert (await c.get("/v1/networks/employees", headers=EF_KEY)).status_code == 200
