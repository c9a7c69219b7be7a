"""Everflow Network API: /v1/networks/..., X-Eflow-API-Key, HTTP status codes, money as numbers.

Amounts are JSON numbers written from their exact decimal text (orjson.Fragment),
never through a float, so a client parsing with Decimal gets the model's value.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response

from affbill_simulator import everflow_reports as reports
from affbill_simulator.faults import TRANSPORT_FAULTS
from affbill_simulator.partners import ADVERTISER, AFFILIATE, Partner
from affbill_simulator.state import SimState

MAX_REPORTING = 10  # concurrent reporting calls per network
MAX_PAGE_SIZE = 2000
# HasOffers' partner status → Everflow's account_status
ACCOUNT_STATUS = {"active": "active", "pending": "inactive", "blocked": "suspended",
                  "deleted": "inactive"}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None
                  ) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json",
                    headers=headers)


class BadRequest(ValueError):
    pass


def paging(request: Request, total: int) -> tuple[int, int, dict[str, int]]:
    try:
        page = int(request.query_params.get("page", 1))
        size = min(int(request.query_params.get("page_size", 50)), MAX_PAGE_SIZE)
    except ValueError:
        raise BadRequest("page and page_size must be integers") from None
    if page < 1 or size < 1:
        raise BadRequest("page and page_size must be positive")
    return (page - 1) * size, min(page * size, total), {"page": page, "page_size": size,
                                                        "total_count": total}


def _partner(p: Partner) -> dict[str, Any]:
    kind = "advertiser" if p.kind == ADVERTISER else "affiliate"
    return {f"network_{kind}_id": p.id, "name": p.company,
            "account_status": ACCOUNT_STATUS[p.status], "network_employee_id": p.manager_id,
            "default_currency_id": p.currency, "billing": {"tax_id": p.tax_id},
            "contact_address": {"address_1": p.street, "address_2": "", "city": p.city,
                                "region_code": p.region, "country_code": p.country,
                                "zip_postal_code": p.zipcode}}


def build_router(state: SimState) -> APIRouter:
    router = APIRouter(prefix="/v1/networks")

    async def serve(request: Request, reporting: bool,
                    work: Callable[[], Awaitable[Response]]) -> Response:
        """Auth, rate limit, concurrency and faults around the work, each logged once."""
        path, query = request.url.path, request.url.query

        def answer(status: int, outcome: str) -> None:
            state.log.record(request.method, path, query, status, outcome)

        key = request.headers.get("X-Eflow-API-Key")
        if key != state.everflow_key:
            answer(401, "unauthorized")
            return json_response({"Error": "Unauthorized"}, 401)
        limit = state.scale.rate_limit
        usage, reset = state.limiter.hit(f"everflow:{key}", limit)
        busy = reporting and state.reporting_in_flight >= MAX_REPORTING
        fault = None if usage or busy else state.faults.take(f"{path}?{query}", TRANSPORT_FAULTS)
        if usage or busy or (fault and fault.kind == "rate_limit"):
            answer(429, "rate_limited")
            return json_response({"Error": "Too Many Requests"}, 429, {
                "X-RateLimit-Limit": str(MAX_REPORTING if busy else limit),
                "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset or 1),
                "Retry-After": str(reset or 1)})
        if fault and fault.kind in ("http_500", "http_504"):
            code = int(fault.kind[-3:])
            answer(code, f"fault:{fault.kind}")
            return json_response({"Error": "Upstream error"}, code)
        state.reporting_in_flight += int(reporting)
        try:
            if fault:  # timeout: the answer comes, but after the client gave up
                answer(200, "fault:timeout")
                await asyncio.sleep(fault.seconds)
            try:
                response = await work()
            except (BadRequest, KeyError, TypeError, AttributeError, orjson.JSONDecodeError) as exc:
                response = json_response({"Error": f"Bad request: {exc}"}, 400)
            if not fault:
                answer(response.status_code, "ok" if response.status_code == 200 else "error")
            return response
        finally:
            state.reporting_in_flight -= int(reporting)

    @router.get("/{entity}")
    async def listing(entity: str, request: Request) -> Response:
        async def work() -> Response:
            s = state.scale
            total = {"advertisers": s.advertisers, "affiliates": s.affiliates,
                     "employees": s.employees}.get(entity)
            if total is None:
                return json_response({"Error": "Not Found"}, 404)
            start, stop, page = paging(request, total)
            if entity == "employees":
                rows = [{"network_employee_id": e.id, "first_name": e.first_name,
                         "last_name": e.last_name, "email": e.email, "account_status": "active"}
                        for e in state.partners.employees()[start:stop]]
            else:
                kind = ADVERTISER if entity == "advertisers" else AFFILIATE
                rows = [_partner(p) for p in state.partners.partners(kind, start, stop)]
            return json_response({entity: rows, "paging": page})
        return await serve(request, False, work)

    @router.post("/reporting/entity/table")
    async def table(request: Request) -> Response:
        async def work() -> Response:
            date_from, date_to = _window(orjson.loads(await request.body()))
            target = f"{request.url.path}?{request.url.query}"
            return json_response(reports.table(state, date_from, date_to, target))
        return await serve(request, True, work)

    @router.post("/reporting/conversions")
    async def conversions(request: Request) -> Response:
        async def work() -> Response:
            body = orjson.loads(await request.body())
            date_from, date_to = _window(body)
            wanted = {f.get("filter_id_value") for f in (body.get("query") or {}).get("filters", [])
                      if f.get("resource_type") == "status"}
            chosen = state.conversions.select(date_from, date_to, wanted)
            start, stop, page = paging(request, len(chosen))
            target = f"{request.url.path}?{request.url.query}"
            return json_response({"conversions": reports.conversions(state, chosen[start:stop],
                                                                     target), "paging": page})
        return await serve(request, True, work)

    return router


def _window(body: dict[str, Any]) -> tuple[dt.date, dt.date]:
    try:
        return dt.date.fromisoformat(body["from"]), dt.date.fromisoformat(body["to"])
    except ValueError:
        raise BadRequest("from and to must be YYYY-MM-DD") from None
