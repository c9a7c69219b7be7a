"""Everflow Network API: /v1/networks/..., X-Eflow-API-Key, JSON numbers for money."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response

from affbill_simulator.model import Row
from affbill_simulator.state import SimState, city, company
from affbill_simulator.stats import StatWindow

MAX_ROWS = 10_000
MAX_REPORTING = 10


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json",
                    headers=headers)


def _num(value: Any) -> Any:
    """A decimal as a JSON number, written from its text so no float rounding creeps in."""
    return orjson.Fragment(format(value, "f").encode())


def build_router(state: SimState) -> APIRouter:
    router = APIRouter(prefix="/v1/networks")

    async def guard(request: Request, reporting: bool) -> Response | None:
        faults, path = state.faults, request.url.path
        query = str(request.url.query)
        if request.headers.get("X-Eflow-API-Key") != state.everflow_key:
            faults.record(request.method, path, query, 401, "unauthorized")
            return _json({"Error": "Unauthorized"}, 401)
        usage = faults.over_limit("everflow", state.scale.rate_limit)
        fault = faults.take(path + "?" + query, ("http_500", "http_504", "timeout", "rate_limit"))
        busy = reporting and state.reporting_in_flight >= MAX_REPORTING
        if usage or busy or (fault and fault.kind == "rate_limit"):
            faults.record(request.method, path, query, 429, "rate_limited")
            return _json({"Error": "Too Many Requests"}, 429, {
                "X-RateLimit-Limit": str(state.scale.rate_limit), "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": "1", "Retry-After": "1"})
        if fault and fault.kind in ("http_500", "http_504"):
            faults.record(request.method, path, query, int(fault.kind[-3:]), f"fault:{fault.kind}")
            return _json({"Error": "upstream"}, int(fault.kind[-3:]))
        if fault and fault.kind == "timeout":
            faults.record(request.method, path, query, 200, "fault:timeout")
            await asyncio.sleep(fault.seconds)
        else:
            faults.record(request.method, path, query, 200, "ok")
        return None

    def paging(request: Request, total: int) -> tuple[int, int, dict[str, int]]:
        page = max(1, int(request.query_params.get("page", 1)))
        size = max(1, min(int(request.query_params.get("page_size", 50)), 2000))
        return (page - 1) * size, min(page * size, total), {"page": page, "page_size": size,
                                                            "total_count": total}

    def partner(kind: str, n: int) -> dict[str, Any]:
        net = state.network
        code = 1 if kind == "advertiser" else 2
        pid = n if kind == "advertiser" else 1000 + n
        c, zipc, region, country = city(n)
        status = {"active": "active", "pending": "pending", "blocked": "suspended"}[
            net.status(code, pid)]
        return {f"network_{kind}_id": pid,
                "name": company("Advertiser" if code == 1 else "Affiliate", pid),
                "account_status": status, "network_employee_id": net.manager(code, pid),
                "default_currency_id": net.currencies(n)[0] if code == 1 else "EUR",
                "billing": {"tax_id": f"{country}{100000000 + pid}"},
                "contact_address": {"address_1": f"Street {n}", "address_2": "", "city": c,
                                    "region_code": region, "country_code": country,
                                    "zip_postal_code": zipc}}

    @router.get("/{entity}")
    async def listing(entity: str, request: Request) -> Response:
        if (refused := await guard(request, False)) is not None:
            return refused
        s = state.scale
        total = {"advertisers": s.advertisers, "affiliates": s.affiliates,
                 "employees": s.employees}.get(entity)
        if total is None:
            return _json({"Error": "Not Found"}, 404)
        start, stop, page = paging(request, total)
        if entity == "employees":
            rows = [{"network_employee_id": i, "first_name": f"Emp{i}", "last_name": "Loyee",
                     "email": f"employee{i}@network.example", "account_status": "active"}
                    for i in range(start + 1, stop + 1)]
        else:
            rows = [partner(entity[:-1], i) for i in range(start + 1, stop + 1)]
        return _json({entity: rows, "paging": page})

    @router.post("/reporting/entity/table")
    async def table(request: Request) -> Response:
        if (refused := await guard(request, True)) is not None:
            return refused
        state.reporting_in_flight += 1
        try:
            body = await request.json()
            window = StatWindow(state.network, dt.date.fromisoformat(body["from"]),
                                dt.date.fromisoformat(body["to"]))
            fault = state.faults.take("entity/table", ("malformed_row",))
            rows = [_table_row(r) for r in window.rows(0, min(window.total, MAX_ROWS))]
            if fault and fault.row and rows:
                _corrupt(rows[0], fault.row)
            await asyncio.sleep(0)
            return _json({"table": rows, "summary": {"rows": len(rows)},
                          "incomplete_results": window.total > MAX_ROWS})
        finally:
            state.reporting_in_flight -= 1

    @router.post("/reporting/conversions")
    async def conversions(request: Request) -> Response:
        if (refused := await guard(request, True)) is not None:
            return refused
        body = await request.json()
        date_from, date_to = dt.date.fromisoformat(body["from"]), dt.date.fromisoformat(body["to"])
        wanted = {f.get("filter_id_value") for f in (body.get("query") or {}).get("filters", [])
                  if f.get("resource_type") == "status"}
        net = state.network
        chosen = [c for c in net.conversions if date_from <= c.at.date() <= date_to
                  and (not wanted or net.conversion_status(c) in wanted)]
        start, stop, page = paging(request, len(chosen))
        return _json({"conversions": [{
            "conversion_id": c.conversion_id,
            "conversion_unix_timestamp": int(c.at.replace(tzinfo=dt.UTC).timestamp()),
            "status": net.conversion_status(c),
            "relationship": {"advertiser": {"network_advertiser_id": int(c.advertiser_id)},
                             "offer": {"network_offer_id": int(c.offer_id)},
                             "affiliate": {"network_affiliate_id": int(c.affiliate_id)}},
            "currency_id": c.currency, "revenue": _num(c.revenue), "payout": _num(c.payout)}
            for c in chosen[start:stop]], "paging": page})

    return router


def _table_row(r: Row) -> dict[str, Any]:
    return {"columns": [
        {"column_type": "date", "id": r.date.isoformat(), "label": r.date.isoformat()},
        {"column_type": "advertiser", "id": r.advertiser_id, "label": f"Advertiser {r.advertiser_id}"},
        {"column_type": "offer", "id": r.offer_id, "label": f"Offer {r.offer_id} CPS"},
        {"column_type": "affiliate", "id": r.affiliate_id, "label": f"Affiliate {r.affiliate_id}"},
        {"column_type": "currency", "id": r.currency, "label": r.currency}],
        "reporting": {"cv": r.conversions, "revenue": _num(r.revenue.normalize()),
                      "payout": _num(r.payout.normalize()),
                      "total_click": r.conversions * 20, "imp": 0}}


def _corrupt(row: dict[str, Any], bad: dict[str, Any]) -> None:
    field = {"revenue": "revenue", "payout": "payout", "conversions": "cv"}.get(bad["field"])
    if field:
        row["reporting"][field] = bad.get("value")
        return
    column = {"advertiser_id": "advertiser", "currency": "currency"}.get(bad["field"], bad["field"])
    for col in row["columns"]:
        if col["column_type"] == column:
            col["id"] = bad.get("value")
