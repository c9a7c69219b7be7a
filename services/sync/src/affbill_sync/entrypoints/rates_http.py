"""HTTP route of the rates sync: fetch and publish now (the schedule does it hourly)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from affbill_contracts.wire import answers
from affbill_runtime.runtime import Runtime
from affbill_sync.adapters.connectors.base import RetriesExhausted
from affbill_sync.domain.rates import RatesFormatError
from affbill_sync.entrypoints import views_api as v
from affbill_sync.service_layer.rates import sync_rates


class RatesSyncRequest(BaseModel):
    date_from: dt.date | None = Field(default=None, description="First day; default: "
                                      "the configured window before date_to.",
                                      examples=["2026-01-01"])
    date_to: dt.date | None = Field(default=None, description="Last day; default: today.",
                                    examples=["2026-11-30"])


def build_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["rates"])
    settings = runtime.state.settings

    @router.post("/rates/sync", **answers(v.RatesSynced))
    async def sync_rates_now(body: RatesSyncRequest | None = None) -> dict[str, Any]:
        """Fetch the rates of a window of days from the source and publish what changed."""
        body = body or RatesSyncRequest()
        to = body.date_to or dt.date.today()
        since = body.date_from or to - dt.timedelta(days=settings.rates_window_days)
        if since > to or (to - since).days > settings.max_window_days:
            raise HTTPException(422, f"date_from: {since} to {to} is not a window of at most "
                                f"{settings.max_window_days} days")
        try:
            async with httpx.AsyncClient(timeout=30) as client:
                done = await sync_rates(runtime.uow, runtime.state.rates_source, client,
                                        since, to)
        except (RetriesExhausted, RatesFormatError) as exc:
            raise HTTPException(502, f"The rates source failed: {exc}") from None
        return {"source": done.source, "days": done.days, "published": done.published,
                "first": done.first, "last": done.last}

    return router
