"""HTTP routes of the billing service: billing profiles and the generator; the manual
generator's routes (customers, drafts, invoices) come from drafts_http."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, HTTPException, Query, Response
from fastapi.exceptions import RequestValidationError

from affbill_billing.adapters.generator_queries import GeneratorFilter, generator_rows, open_items
from affbill_billing.adapters.page_cache import PageCache
from affbill_billing.domain.customers import Side
from affbill_billing.domain.drafts import DraftError
from affbill_billing.domain.thresholds import reaches_threshold
from affbill_billing.entrypoints import (
    drafts_http,
    drilldown_http,
    margins_http,
    number_series_http,
    payouts_http,
    periods_http,
    rates_http,
    schedules_http,
    seller_entities_http,
)
from affbill_billing.entrypoints import views_api as v
from affbill_billing.entrypoints.profile_models import ProfileUpdate
from affbill_billing.service_layer import profiles
from affbill_billing.service_layer.errors import NotFound, Refused
from affbill_contracts.bounds import MAX_PAGE
from affbill_contracts.wire import amount_text, answers, jsonable, rounded
from affbill_runtime.audit_http import audit_router
from affbill_runtime.runtime import Runtime

printable = jsonable
"""Amounts as strings ("12.50"), times RFC 3339 with Z, days ISO, ids as text, all the way
down (affbill_contracts.wire)."""


def build_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["billing"])
    router.include_router(drafts_http.build_router(runtime, printable))
    router.include_router(drilldown_http.build_router(runtime, printable))
    router.include_router(seller_entities_http.build_router(runtime))
    router.include_router(number_series_http.build_router(runtime))
    router.include_router(rates_http.build_router(runtime, printable))
    router.include_router(periods_http.build_router(runtime, printable))
    router.include_router(schedules_http.build_router(runtime, printable))
    router.include_router(margins_http.build_router(runtime, printable))
    router.include_router(payouts_http.build_router(runtime))
    router.include_router(audit_router(runtime.engine))
    pages = PageCache(runtime.engine, runtime.settings.generator_page_reuse_s)

    async def read_profile(customer_id: str) -> dict[str, Any]:
        try:
            row = await profiles.read_profile(runtime.engine, customer_id)
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        return jsonable(row)

    @router.get("/customers/{customer_id}/profile", **answers(v.Profile))
    async def get_profile(customer_id: str) -> dict[str, Any]:
        return await read_profile(customer_id)

    @router.patch("/customers/{customer_id}/profile", **answers(v.Profile))
    async def update_profile(customer_id: str, body: ProfileUpdate) -> dict[str, Any]:
        changes = body.model_dump(exclude_unset=True, exclude={"version"}, mode="json")
        try:
            await profiles.change_profile(runtime.engine, customer_id, changes, body.version,
                                          runtime.settings.seller_country)
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        except Refused as exc:
            raise HTTPException(409, str(exc)) from None
        except DraftError as exc:
            raise RequestValidationError([{"loc": ("body", exc.field), "type": "value_error",
                                           "msg": exc.reason}]) from None
        return await read_profile(customer_id)

    @router.get("/generator", **answers(v.GeneratorPage))
    async def generator(
            customer: str | None = None, account_manager: str | None = None,
            period_from: dt.date | None = None, period_to: dt.date | None = None,
            currency: str | None = None, page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
            page_size: Annotated[int, Query(ge=1, le=500)] = 50,
            kind: Side = Side.ADVERTISER) -> Response:
        """The generator of one side, like the product's tabs: the advertisers' (invoices)
        unless ``kind=affiliate`` asks for the affiliates' (their payout items)."""
        key = (customer, account_manager, period_from, period_to, currency, page, page_size,
               kind)
        return Response(await pages.page(key, lambda: generator_page(
            GeneratorFilter(customer, account_manager, period_from, period_to, currency,
                            kind.value),
            page, page_size)), media_type="application/json")

    async def generator_page(f: GeneratorFilter, page: int, page_size: int) -> bytes:
        customers, rows = await generator_rows(runtime.engine, f, page_size,
                                               (page - 1) * page_size)
        lines: dict[str, dict[str, Any]] = {}
        for r in rows:
            line = lines.setdefault(r["customer_id"], generator_line(r))
            line["totals"].append(generator_total(r))
        return orjson.dumps({"page": page, "page_size": page_size,
                             "customers": customers, "lines": list(lines.values())})

    @router.get("/generator/{customer_id}/items", **answers(v.ItemPage))
    async def customer_items(
            customer_id: str, period_from: dt.date | None = None, period_to: dt.date | None = None,
            offer_id: str | None = None, currency: str | None = None,
            page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
            page_size: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
        f = GeneratorFilter(None, None, period_from, period_to, currency)
        rows = await open_items(runtime.engine, customer_id, f, offer_id, page_size,
                                (page - 1) * page_size)
        return {"page": page, "page_size": page_size,
                "total": rows[0]["total_items"] if rows else 0,
                "items": [open_item(r) for r in rows]}

    return router


def generator_line(r: dict[str, Any]) -> dict[str, Any]:
    """A generator line's head: the customer and its threshold, rounded for people."""
    return {"customer_id": r["customer_id"], "name": r["name"],
            "account_manager_id": r["account_manager_id"], "totals": [],
            "threshold": None if r["threshold_amount"] is None else {
                "amount": rounded(r["threshold_amount"], r["threshold_currency"] or r["currency"]),
                "currency": r["threshold_currency"]}}


def generator_total(r: dict[str, Any]) -> dict[str, Any]:
    """One currency of a generator line; amounts rounded to the currency's minor unit (the
    exact stat figures are on the items)."""
    cur = r["currency"]
    same = r["threshold_currency"] in (None, cur)
    return {"currency": cur, "open_total": rounded(r["total"], cur), "items": r["items"],
            "first_day": str(r["first_day"]), "last_day": str(r["last_day"]),
            "pending_conversions": r["pending_count"],
            "pending_value": rounded(Decimal(r["pending_value"]), cur),
            "in_drafts": {"items": r["draft_items"], "total": rounded(r["draft_total"], cur)},
            "reaches_threshold": reaches_threshold(r["total"], r["threshold_amount"])
            if same else None}


def open_item(r: dict[str, Any]) -> dict[str, Any]:
    """An open billable item: revenue rounded for people, revenue_exact as the stats gave it."""
    return {**jsonable({k: v for k, v in r.items() if k != "total_items"}),
            "revenue": rounded(r["revenue"], r["currency"]),
            "revenue_exact": amount_text(r["revenue"])}
