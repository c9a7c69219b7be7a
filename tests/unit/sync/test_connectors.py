"""Connector behaviour on canned answers (fakes are fine here; the simulator tests are real)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import httpx
import pytest

from affbill_sync.adapters.connectors import build_connector
from affbill_sync.adapters.connectors import http as http_module
from affbill_sync.adapters.connectors.base import (
    AdtrackerAuthError,
    ConnectorConfig,
    RetriesExhausted,
)
from affbill_sync.domain.model import StatFact
from affbill_sync.domain.quarantine import Rejected


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    async def instant(_: float) -> None:
        return None

    monkeypatch.setattr(http_module.asyncio, "sleep", instant)


def ho(data: object, status: int = 1, message: str | None = None) -> httpx.Response:
    return httpx.Response(200, json={"request": {}, "response": {
        "status": status, "httpStatus": 200, "data": data, "errors": [],
        "errorMessage": message}})


def page(rows: list[dict], count: int | None = None, page_no: int = 1, pages: int = 1) -> dict:
    return {"page": page_no, "current": len(rows), "count": count if count is not None else
            len(rows), "pageCount": pages, "data": rows}


def stat(date: str, revenue: str = "1.50000", currency: str = "EUR", adv: str = "7") -> dict:
    return {"Stat": {"date": date, "advertiser_id": adv, "offer_id": "20", "affiliate_id": "1004",
                     "currency": currency, "conversions": "3", "revenue": revenue,
                     "payout": "1.00000"}, "Offer": {"name": "Shop"}}


def connector(handler: object, kind: str = "hasoffers", **over: object):
    config = ConnectorConfig(id="c", kind=kind, base_url="http://adtracker", token="t",
                             max_attempts=3, **over)
    return build_connector(config, transport=httpx.MockTransport(handler))  # type: ignore[arg-type]


async def collect(c) -> list:
    out = []
    async for day, facts in c.stat_days(dt.date(2026, 10, 1), dt.date(2026, 10, 2)):
        out.append((day, facts))
    return out


async def test_hasoffers_rate_limit_in_the_body_is_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            return ho("", 0, "API usage exceeded rate limit. Configured: 50/10s window; "
                             "Current usage: 51")
        return ho(page([stat("2026-10-01"), stat("2026-10-02")]))

    days = await collect(connector(handler))
    assert [d for d, _ in days] == [dt.date(2026, 10, 1), dt.date(2026, 10, 2)]
    assert len(calls) == 2
    fact = days[0][1][0]
    assert isinstance(fact, StatFact) and fact.revenue == Decimal("1.50000")


async def test_hasoffers_bad_token_is_an_auth_error() -> None:
    c = connector(lambda _: ho("", -1, "Invalid NetworkToken"))
    with pytest.raises(AdtrackerAuthError, match="NetworkToken"):
        await collect(c)


async def test_server_errors_exhaust_retries_with_a_clear_reason() -> None:
    c = connector(lambda _: httpx.Response(503))
    with pytest.raises(RetriesExhausted, match="gave up after 3 attempts \\(HTTP 503\\)"):
        await collect(c)


async def test_a_day_split_across_pages_comes_out_whole() -> None:
    rows = [stat("2026-10-01", adv=str(n)) for n in range(3)] + [stat("2026-10-02")]

    def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params["page"])
        return ho(page(rows[(n - 1) * 2:n * 2], count=4, page_no=n, pages=2))

    days = await collect(connector(handler, page_size=2))
    assert [(d, len(f)) for d, f in days] == [(dt.date(2026, 10, 1), 3), (dt.date(2026, 10, 2), 1)]


async def test_malformed_rows_become_rejections_naming_the_field() -> None:
    rows = [stat("2026-10-01", revenue="abc"), stat("2026-10-01", currency="XXX"),
            stat("2026-10-01")]
    [(_, facts)] = await collect(connector(lambda _: ho(page(rows))))
    reasons = [f.reason for f in facts if isinstance(f, Rejected)]
    assert reasons == ["revenue: not a number: 'abc'", "currency: unknown currency 'XXX'"]
    assert sum(isinstance(f, StatFact) for f in facts) == 1


async def test_everflow_429_honours_retry_after_and_amounts_stay_exact() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(429, headers={"Retry-After": "1", "X-RateLimit-Remaining": "0"})
        body = json.loads(request.content)
        assert body["from"] == "2026-10-01"
        return httpx.Response(200, content=b'{"table": [{"columns": ['
                              b'{"column_type": "date", "id": "2026-10-01"},'
                              b'{"column_type": "advertiser", "id": "7"},'
                              b'{"column_type": "offer", "id": "20", "label": "Shop"},'
                              b'{"column_type": "affiliate", "id": "1004"},'
                              b'{"column_type": "currency", "id": "EUR"}],'
                              b'"reporting": {"cv": 3, "revenue": 0.1, "payout": 1.23456}}],'
                              b'"incomplete_results": false}')

    days = await collect(connector(handler, kind="everflow"))
    fact = days[0][1][0]
    assert fact.revenue == Decimal("0.1") and fact.payout == Decimal("1.23456")
