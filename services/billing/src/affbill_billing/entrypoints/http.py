"""HTTP routes of the billing service: billing profiles and the generator; the manual
generator's routes (customers, drafts, invoices) come from drafts_http."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from enum import StrEnum
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
    margins_http,
    number_series_http,
    periods_http,
    rates_http,
    seller_entities_http,
)
from affbill_billing.entrypoints.profile_models import ProfileUpdate
from affbill_billing.service_layer import profiles
from affbill_billing.service_layer.errors import NotFound, Refused
from affbill_contracts.bounds import MAX_PAGE
from affbill_runtime.audit_http import audit_router
from affbill_runtime.runtime import Runtime


def amount_text(value: Decimal) -> str:
    """An amount without storage padding, but with at least two decimals (12.50, 0.00125)."""
    whole, _, frac = format(value, "f").partition(".")
    return f"{whole}.{frac.rstrip('0').ljust(2, '0')}"


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return amount_text(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return str(value)
    return value


def printable(value: Any) -> Any:
    """Amounts as strings ("12.50"), dates ISO, ids as text, all the way down."""
    if isinstance(value, dict):
        return {k: printable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [printable(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, StrEnum):
        return value.value
    return _json(value)


def build_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["billing"])
    router.include_router(drafts_http.build_router(runtime, printable))
    router.include_router(seller_entities_http.build_router(runtime))
    router.include_router(number_series_http.build_router(runtime))
    router.include_router(rates_http.build_router(runtime, printable))
    router.include_router(periods_http.build_router(runtime, printable))
    router.include_router(margins_http.build_router(runtime, printable))
    router.include_router(audit_router(runtime.engine))
    pages = PageCache(runtime.engine, runtime.settings.generator_page_reuse_s)

    async def read_profile(customer_id: str) -> dict[str, Any]:
        try:
            row = await profiles.read_profile(runtime.engine, customer_id)
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        return {k: _json(v) for k, v in row.items()}

    @router.get("/customers/{customer_id}/profile")
    async def get_profile(customer_id: str) -> dict[str, Any]:
        return await read_profile(customer_id)

    @router.patch("/customers/{customer_id}/profile")
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

    @router.get("/generator")
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
            line = lines.setdefault(r["customer_id"], {
                "customer_id": r["customer_id"], "name": r["name"],
                "account_manager_id": r["account_manager_id"], "totals": [],
                "threshold": None if r["threshold_amount"] is None else {
                    "amount": amount_text(r["threshold_amount"]),
                    "currency": r["threshold_currency"]}})
            same = r["threshold_currency"] in (None, r["currency"])
            line["totals"].append({
                "currency": r["currency"], "open_total": amount_text(r["total"]),
                "items": r["items"],
                "first_day": str(r["first_day"]), "last_day": str(r["last_day"]),
                "pending_conversions": r["pending_count"],
                "pending_value": amount_text(Decimal(r["pending_value"])),
                "in_drafts": {"items": r["draft_items"], "total": amount_text(r["draft_total"])},
                "reaches_threshold": reaches_threshold(r["total"], r["threshold_amount"])
                if same else None})
        return orjson.dumps({"page": page, "page_size": page_size,
                             "customers": customers, "lines": list(lines.values())})

    @router.get("/generator/{customer_id}/items")
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
                "items": [{k: _json(str(v)
                                    if k in ("item_id", "adjusts_invoice_id", "draft_id") and v
                                    else v) for k, v in r.items() if k != "total_items"}
                          for r in rows]}

    return router
