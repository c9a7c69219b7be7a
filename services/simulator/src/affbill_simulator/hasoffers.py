"""TUNE/HasOffers Network API v3: GET /Apiv3/json with NetworkToken and bracket parameters."""

from __future__ import annotations

import asyncio
import datetime as dt
import math
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response

from affbill_simulator.model import Row
from affbill_simulator.state import SimState, city, company
from affbill_simulator.stats import StatWindow

STAT_FIELDS = ("date", "advertiser_id", "offer_id", "affiliate_id", "currency", "conversions",
               "revenue", "payout")


class Query:
    def __init__(self, request: Request) -> None:
        self.items = request.query_params.multi_items()
        self.one = dict(self.items)

    def many(self, name: str) -> list[str]:
        return [v for k, v in self.items if k == name]

    def filter_values(self, field: str) -> list[str]:
        direct = self.one.get(f"filters[{field}]")
        return [direct] if direct else self.many(f"filters[{field}][values][]")


def _envelope(request: dict[str, Any], data: bytes, status: int = 1, message: str | None = None
              ) -> Response:
    body = (b'{"request":' + orjson.dumps(request) + b',"response":{"status":%d,"httpStatus":200,'
            b'"data":' % status + data + b',"errors":[],"errorMessage":' + orjson.dumps(message)
            + b"}}")
    return Response(body, media_type="application/json")


def _paged(q: Query, total: int, page_rows: Any, keyed: bool = False) -> tuple[bytes, int, int]:
    """(data bytes, start, stop) for the page asked, with the page wrapper when limit is given."""
    if "limit" not in q.one:
        return b"", 0, total
    limit = max(1, min(int(q.one["limit"]), 100_000))
    page = max(1, int(q.one.get("page", 1)))
    start, stop = (page - 1) * limit, min(page * limit, total)
    rows = page_rows(start, max(start, stop))
    inner = (b"{" + b",".join(rows) + b"}") if keyed else (b"[" + b",".join(rows) + b"]")
    wrapper = b'{"page":%d,"current":%d,"count":%d,"pageCount":%d,"data":' % (
        page, len(rows), total, max(1, math.ceil(total / limit))) + inner + b"}"
    return wrapper, start, stop


def build_router(state: SimState) -> APIRouter:
    router = APIRouter()

    @router.get("/Apiv3/json")
    async def api(request: Request) -> Response:
        q = Query(request)
        target = f"{q.one.get('Target')}::{q.one.get('Method')}"
        echo = {"Target": q.one.get("Target"), "Method": q.one.get("Method")}
        faults = state.faults
        query_text = str(request.url.query)
        if q.one.get("NetworkToken") != state.network_token:
            faults.record("GET", request.url.path, query_text, 200, "unauthorized")
            return _envelope(echo, b'""', -1, "Invalid NetworkToken")
        usage = faults.over_limit("hasoffers", state.scale.rate_limit)
        fault = faults.take(target + "?" + query_text, ("http_500", "http_504", "timeout",
                                                         "rate_limit"))
        if usage or (fault and fault.kind == "rate_limit"):
            faults.record("GET", request.url.path, query_text, 200, "rate_limited")
            return _envelope(echo, b'""', 0, "API usage exceeded rate limit. Configured: "
                             f"{state.scale.rate_limit}/10s window; Current usage: {usage}")
        if fault and fault.kind in ("http_500", "http_504"):
            faults.record("GET", request.url.path, query_text, int(fault.kind[-3:]),
                          f"fault:{fault.kind}")
            return Response(b"upstream error", status_code=int(fault.kind[-3:]))
        if fault and fault.kind == "timeout":
            faults.record("GET", request.url.path, query_text, 200, "fault:timeout")
            await asyncio.sleep(fault.seconds)
        handler = HANDLERS.get(target)
        if handler is None:
            faults.record("GET", request.url.path, query_text, 200, "unknown_method")
            return _envelope(echo, b'""', -1, f"Method {target} does not exist")
        data = handler(state, q, target + "?" + query_text)
        if not (fault and fault.kind == "timeout"):
            faults.record("GET", request.url.path, query_text, 200, "ok")
        return _envelope(echo, data)

    return router


def _partners(kind: str):  # noqa: ANN202
    def handler(state: SimState, q: Query, _: str) -> bytes:
        s, n = state.scale, state.network
        count = {"Advertiser": s.advertisers, "Affiliate": s.affiliates,
                 "Employee": s.employees}[kind]

        def entry(i: int) -> bytes:
            if kind == "Employee":
                body = {"id": str(i), "first_name": f"Emp{i}", "last_name": "Loyee",
                        "email": f"employee{i}@network.example", "status": "active"}
            else:
                pid = i if kind == "Advertiser" else 1000 + i
                code = 1 if kind == "Advertiser" else 2
                c, zipc, region, country = city(i)
                body = {"id": str(pid), "company": company(kind, pid),
                        "status": n.status(code, pid), "account_manager_id": str(n.manager(code, pid)),
                        "address1": f"Street {i}", "address2": "", "city": c, "region": region,
                        "country": country, "zipcode": zipc, "phone": f"+49 30 {i:06d}",
                        "currency": n.currencies(i)[0] if kind == "Advertiser" else None,
                        "ref_id": f"ref-{pid}"}
                if kind == "Affiliate":
                    body["payment_method"] = "wire"
                pid_text = str(pid)
                return orjson.dumps(pid_text) + b":" + orjson.dumps({kind: body})
            return orjson.dumps(str(i)) + b":" + orjson.dumps({kind: body})

        data, start, stop = _paged(q, count, lambda a, b: [entry(i + 1) for i in range(a, b)],
                                   keyed=True)
        return data or (b"{" + b",".join(entry(i + 1) for i in range(count)) + b"}")
    return handler


def _window(q: Query, state: SimState) -> tuple[dt.date, dt.date]:
    values = q.filter_values("Stat.date")
    if len(values) >= 2:
        return dt.date.fromisoformat(values[0]), dt.date.fromisoformat(values[1])
    return state.scale.start_date, state.scale.end_date


def _stat_json(row: Row, fields: set[str], bad: dict[str, Any] | None) -> bytes:
    stat = {"date": row.date.isoformat(), "advertiser_id": row.advertiser_id,
            "offer_id": row.offer_id, "affiliate_id": row.affiliate_id, "currency": row.currency,
            "conversions": str(row.conversions), "revenue": five(row.revenue5),
            "payout": five(row.payout5)}
    stat = {k: v for k, v in stat.items() if f"Stat.{k}" in fields}
    if bad:
        stat[bad["field"]] = bad.get("value")
    out: dict[str, Any] = {"Stat": stat}
    if "Offer.name" in fields:
        out["Offer"] = {"name": f"Offer {row.offer_id} CPS"}
    return orjson.dumps(out)


def _fast_stat(row: Row) -> bytes:
    return (b'{"Stat":{"date":"%s","advertiser_id":"%s","offer_id":"%s","affiliate_id":"%s",'
            b'"currency":"%s","conversions":"%d","revenue":"%s","payout":"%s"},'
            b'"Offer":{"name":"Offer %s CPS"}}' % (
                row.date.isoformat().encode(), row.advertiser_id.encode(), row.offer_id.encode(),
                row.affiliate_id.encode(), row.currency.encode(), row.conversions,
                five(row.revenue5).encode(), five(row.payout5).encode(), row.offer_id.encode()))


def five(units: int) -> str:
    """0.00001 units as a decimal string with 5 places, the way HasOffers writes money."""
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), 100_000)
    return f"{sign}{whole}.{frac:05d}"


FULL = {f"Stat.{f}" for f in STAT_FIELDS} | {"Offer.name"}


def _stats(state: SimState, q: Query, target: str) -> bytes:
    date_from, date_to = _window(q, state)
    groups = set(q.many("groups[]"))
    fields = set(q.many("fields[]")) or FULL
    if groups and not groups & {"Stat.offer_id", "Stat.affiliate_id"}:
        return _grouped(state, q, date_from, date_to, fields)
    window = StatWindow(state.network, date_from, date_to)
    fault = state.faults.take(target, ("malformed_row",))

    def page_rows(start: int, stop: int) -> list[bytes]:
        rows = window.rows(start, stop, state.totals)
        if fields == FULL and not fault:
            return [_fast_stat(r) for r in rows]
        out = [_stat_json(r, fields, None) for r in rows]
        if fault and out:
            first = next(window.rows(start, start + 1))
            out[0] = _stat_json(first, fields | {"Stat." + fault.row["field"]}, fault.row)
        return out

    data, _, _ = _paged(q, window.total, page_rows)
    return data or b"[" + b",".join(page_rows(0, window.total)) + b"]"


def _grouped(state: SimState, q: Query, date_from: dt.date, date_to: dt.date,
             fields: set[str]) -> bytes:
    rows = [orjson.dumps({"Stat": {k: v for k, v in {
        "date": day.isoformat(), "advertiser_id": adv, "currency": cur,
        "revenue": five(t[0]), "payout": five(t[1]), "conversions": str(t[2])}.items()
        if f"Stat.{k}" in fields}}) for day, adv, cur, t in state.totals.window(date_from, date_to)]
    data, _, _ = _paged(q, len(rows), lambda a, b: rows[a:b])
    return data or b"[" + b",".join(rows) + b"]"


def _conversions(state: SimState, q: Query, _: str) -> bytes:
    date_from, date_to = _window(q, state)
    statuses = set(q.filter_values("Stat.status"))
    n = state.network
    chosen = [c for c in n.conversions if date_from <= c.at.date() <= date_to
              and (not statuses or n.conversion_status(c) in statuses)]

    def row(c: Any) -> bytes:
        return orjson.dumps({"Stat": {
            "id": c.conversion_id, "datetime": c.at.strftime("%Y-%m-%d %H:%M:%S"),
            "status": n.conversion_status(c), "advertiser_id": c.advertiser_id,
            "offer_id": c.offer_id, "affiliate_id": c.affiliate_id, "currency": c.currency,
            "revenue": f"{c.revenue:.5f}", "payout": f"{c.payout:.5f}"}})

    data, _, _ = _paged(q, len(chosen), lambda a, b: [row(c) for c in chosen[a:b]])
    return data or b"[" + b",".join(row(c) for c in chosen) + b"]"


HANDLERS = {
    "Employee::findAll": _partners("Employee"),
    "Advertiser::findAll": _partners("Advertiser"),
    "Affiliate::findAll": _partners("Affiliate"),
    "Report::getStats": _stats,
    "Report::getConversions": _conversions,
}
