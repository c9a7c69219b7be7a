"""HTTP route of the margin view: revenue billed, payout owed and the margin per offer or
per advertiser for a period's days."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, HTTPException

from affbill_billing.adapters.margin_queries import offer_margins
from affbill_billing.domain.margins import Margin, by_advertiser
from affbill_billing.entrypoints import views_api as v
from affbill_billing.entrypoints.problems import ProblemRoute
from affbill_contracts.wire import answers
from affbill_runtime.runtime import Runtime


def line(m: Margin) -> dict[str, Any]:
    return {"key": m.key, "name": m.name, "advertiser_id": m.advertiser_id,
            "currency": m.currency, "revenue_billed": m.revenue_billed,
            "revenue_open": m.revenue_open, "payout_owed": m.payout_owed,
            "payout_paid": m.payout_paid, "margin": m.margin}


def build_router(runtime: Runtime, printable: Any) -> APIRouter:
    router = APIRouter(tags=["margins"], route_class=ProblemRoute)

    @router.get("/margins", **answers(v.Margins))
    async def margins(period_from: dt.date, period_to: dt.date,
                      by: Literal["offer", "advertiser"] = "offer") -> dict[str, Any]:
        """Per offer (or advertiser) and currency over the days period_from..period_to:
        the advertisers' revenue billed (and still open), the affiliates' payout owed (and
        paid), and the margin = revenue billed - payout owed."""
        if period_to < period_from:
            raise HTTPException(422, "period_to: before period_from")
        offers, names = await offer_margins(runtime.engine, period_from, period_to)
        chosen = by_advertiser(offers, names) if by == "advertiser" else offers
        return printable({"period_from": period_from, "period_to": period_to, "by": by,
                          "lines": [line(m) for m in chosen]})

    return router
