"""The simulator's wire formats and control API (in-process ASGI; the sync tests use it over HTTP)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest

from affbill_simulator.app import create_app
from affbill_simulator.scale import Scale

START = dt.date(2026, 3, 1)
SCALE = Scale(seed=3, advertisers=3, offers_per_advertiser=2, affiliates=4, days=5,
              rows_per_day=10, start_date=START, rate_limit=0)


@pytest.fixture
async def sim() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(SCALE))
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
        yield client


def ho(**params: object) -> list[tuple[str, object]]:
    base = [("NetworkToken", "sim-token"), ("Target", "Report"), ("Method", "getStats")]
    return base + [(k, v) for k, v in params.items()]


WINDOW = [("filters[Stat.date][conditional]", "BETWEEN"),
          ("filters[Stat.date][values][]", "2026-03-01"),
          ("filters[Stat.date][values][]", "2026-03-05")]


async def stats(sim: httpx.AsyncClient, limit: int, page: int) -> dict:
    r = await sim.get("/Apiv3/json", params=ho(limit=limit, page=page) + WINDOW)
    return r.json()["response"]["data"]


async def test_same_seed_same_bytes() -> None:
    bodies = []
    for _ in range(2):
        transport = httpx.ASGITransport(app=create_app(SCALE))
        async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
            bodies.append((await client.get("/Apiv3/json", params=ho(limit=7) + WINDOW)).content)
    assert bodies[0] == bodies[1]


async def test_hasoffers_paging_envelope_and_money_strings(sim: httpx.AsyncClient) -> None:
    first = await stats(sim, 20, 1)
    assert (first["page"], first["current"], first["count"], first["pageCount"]) == (1, 20, 50, 3)
    last = await stats(sim, 20, 3)
    assert last["current"] == 10  # a partial last page
    beyond = await stats(sim, 20, 4)
    assert beyond["current"] == 0 and beyond["data"] == []
    row = first["data"][0]["Stat"]
    assert all(isinstance(v, str) for v in row.values())
    assert len(row["revenue"].split(".")[1]) == 5
    keys = [tuple(r["Stat"][k] for k in ("date", "advertiser_id", "offer_id", "affiliate_id",
                                        "currency")) for p in (first, await stats(sim, 20, 2), last)
            for r in p["data"]]
    assert len(set(keys)) == 50  # unique natural keys across pages


async def test_hasoffers_token_and_rate_limit() -> None:
    app = create_app(SCALE.model_copy(update={"rate_limit": 2}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        bad = (await c.get("/Apiv3/json", params=[("NetworkToken", "x"), ("Target", "Report"),
                                                  ("Method", "getStats")])).json()["response"]
        assert bad["status"] == -1 and "NetworkToken" in bad["errorMessage"]
        answers = [(await c.get("/Apiv3/json", params=ho(limit=1) + WINDOW)).json()["response"]
                   for _ in range(3)]
        assert answers[2]["status"] == 0
        assert answers[2]["errorMessage"].startswith("API usage exceeded rate limit. Configured: 2/10s")


async def test_everflow_auth_listing_and_amounts(sim: httpx.AsyncClient) -> None:
    assert (await sim.get("/v1/networks/advertisers")).status_code == 401
    headers = {"X-Eflow-API-Key": "sim-key"}
    body = (await sim.get("/v1/networks/advertisers", params={"page": 1, "page_size": 2},
                          headers=headers)).json()
    assert body["paging"] == {"page": 1, "page_size": 2, "total_count": 3}
    assert len(body["advertisers"]) == 2
    table = (await sim.post("/v1/networks/reporting/entity/table", headers=headers, json={
        "from": "2026-03-01", "to": "2026-03-05", "columns": [{"column": "date"}]})).json()
    assert len(table["table"]) == 50 and table["incomplete_results"] is False
    ho_rows = (await stats(sim, 100, 1))["data"]
    import json
    exact = json.loads((await sim.post("/v1/networks/reporting/entity/table", headers=headers,
                                       json={"from": "2026-03-01", "to": "2026-03-05"})).content,
                       parse_float=Decimal)["table"]
    assert sorted(Decimal(r["Stat"]["revenue"]) for r in ho_rows) == sorted(
        r["reporting"]["revenue"] for r in exact)


async def test_everflow_caps_reports_at_10000_rows() -> None:
    big = SCALE.model_copy(update={"advertisers": 20, "affiliates": 200, "rows_per_day": 3000})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(big)),
                                 base_url="http://s") as c:
        body = (await c.post("/v1/networks/reporting/entity/table",
                             headers={"X-Eflow-API-Key": "sim-key"},
                             json={"from": "2026-03-01", "to": "2026-03-05"})).json()
    assert len(body["table"]) == 10_000 and body["incomplete_results"] is True


async def test_restatement_changes_removes_and_adds(sim: httpx.AsyncClient) -> None:
    rows = (await stats(sim, 10, 1))["data"]
    a, b = rows[0]["Stat"], rows[1]["Stat"]
    key = {k: a[k] for k in ("date", "advertiser_id", "offer_id", "affiliate_id", "currency")}
    gone = {k: b[k] for k in key}
    new = {**key, "affiliate_id": "1999", "revenue": "1.00000"}
    await sim.post("/control/restate", json={"changes": [{**key, "revenue": "42.12345"},
                                                         {**gone, "removed": True}, new]})
    after = await stats(sim, 100, 1)
    assert after["count"] == 50
    by_key = {(r["Stat"]["affiliate_id"], r["Stat"]["offer_id"], r["Stat"]["date"]): r["Stat"]
              for r in after["data"]}
    assert by_key[(a["affiliate_id"], a["offer_id"], a["date"])]["revenue"] == "42.12345"
    assert (b["affiliate_id"], b["offer_id"], b["date"]) not in by_key
    assert ("1999", a["offer_id"], a["date"]) in by_key
    truth = (await sim.get("/control/truth", params={"date_from": "2026-03-01",
                                                     "date_to": "2026-03-05"})).json()
    assert sum(Decimal(t["revenue"]) for t in truth) == sum(
        Decimal(r["Stat"]["revenue"]) for r in after["data"])


async def test_conversion_transitions(sim: httpx.AsyncClient) -> None:
    pending = (await sim.get("/control/conversions", params={"status": "pending"})).json()
    cid = pending[0]["conversion_id"]
    assert (await sim.post(f"/control/conversions/{cid}/status",
                           json={"status": "approved"})).status_code == 200
    assert (await sim.post(f"/control/conversions/{cid}/status",
                           json={"status": "pending"})).status_code == 409
    assert (await sim.post(f"/control/conversions/{cid}/status",
                           json={"status": "rejected"})).status_code == 200


@pytest.mark.parametrize("kind", ["http_500", "http_504", "rate_limit", "malformed_row"])
async def test_faults_and_request_log(sim: httpx.AsyncClient, kind: str) -> None:
    fault = {"kind": kind, "times": 1, "path_contains": "getStats"}
    if kind == "malformed_row":
        fault["row"] = {"field": "revenue", "value": "abc"}
    await sim.post("/control/faults", json=fault)
    first = await sim.get("/Apiv3/json", params=ho(limit=5) + WINDOW)
    second = await sim.get("/Apiv3/json", params=ho(limit=5) + WINDOW)
    if kind.startswith("http_"):
        assert first.status_code == int(kind[-3:]) and second.status_code == 200
    elif kind == "rate_limit":
        assert first.json()["response"]["status"] == 0
    else:
        assert first.json()["response"]["data"]["data"][0]["Stat"]["revenue"] == "abc"
        assert second.json()["response"]["data"]["data"][0]["Stat"]["revenue"] != "abc"
    log = (await sim.get("/control/requests")).json()
    assert [r["seq"] for r in log] == sorted(r["seq"] for r in log)
    assert log[-1]["outcome"] == "ok"


async def test_timeout_fault_answers_late(sim: httpx.AsyncClient) -> None:
    import time

    await sim.post("/control/faults", json={"kind": "timeout", "seconds": 0.3})
    started = time.monotonic()
    await sim.get("/Apiv3/json", params=ho(limit=1) + WINDOW)
    assert time.monotonic() - started >= 0.3  # past a client timeout below that
    log = (await sim.get("/control/requests")).json()
    assert log[-1]["outcome"] == "fault:timeout"
