"""The control API: reseed, restate, move conversions, inject faults, read the request log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from affbill_simulator.faults import Fault, Faults
from affbill_simulator.model import Q5, Row
from affbill_simulator.scale import Scale
from affbill_simulator.hasoffers import five
from affbill_simulator.state import SimState

def units(amount: Decimal) -> int:
    """An amount in whole 0.00001 units, rounded as the adtracker would store it."""
    return int(amount.quantize(Q5).scaleb(5))


ALLOWED = {("pending", "approved"), ("pending", "rejected"), ("pending", "invalid"),
           ("approved", "rejected")}


class Change(BaseModel):
    date: dt.date
    advertiser_id: str
    offer_id: str
    affiliate_id: str
    currency: str
    revenue: Decimal | None = None
    payout: Decimal | None = None
    conversions: int | None = None
    removed: bool = False


class Restatement(BaseModel):
    changes: list[Change]


class StatusChange(BaseModel):
    status: Literal["approved", "rejected", "pending", "invalid"]  # invalid: Everflow's word


def build_router(state: SimState) -> APIRouter:
    router = APIRouter(prefix="/control")

    @router.post("/reset")
    async def reset(scale: dict[str, Any] | None = None) -> dict[str, Any]:
        state.reset(Scale(**(scale or {})))
        return state.scale.model_dump(mode="json")

    @router.get("/scale")
    async def get_scale() -> dict[str, Any]:
        return state.scale.model_dump(mode="json")

    @router.post("/restate")
    async def restate(body: Restatement) -> dict[str, int]:
        net = state.network
        for c in body.changes:
            key = (c.date.isoformat(), c.advertiser_id, c.offer_id, c.affiliate_id, c.currency)
            if c.removed:
                net.restate(key, None)
            else:
                old = net.find(key)
                revenue = c.revenue if c.revenue is not None else (old.revenue if old else Decimal(0))
                payout = c.payout if c.payout is not None else (
                    old.payout if old else revenue * Decimal("0.8"))
                net.restate(key, Row(c.date, c.advertiser_id, c.offer_id, c.affiliate_id,
                                     c.currency, c.conversions if c.conversions is not None else (
                                         old.conversions if old else 0),
                                     units(revenue), units(payout)))
            state.totals.forget(c.date)
        return {"restated": len(body.changes)}

    @router.post("/conversions/{conversion_id}/status")
    async def move(conversion_id: str, body: StatusChange) -> dict[str, str]:
        net = state.network
        conversion = next((c for c in net.conversions if c.conversion_id == conversion_id), None)
        if conversion is None:
            raise HTTPException(404, f"no conversion {conversion_id}")
        current = net.conversion_status(conversion)
        if (current, body.status) not in ALLOWED:
            raise HTTPException(409, f"{conversion_id} cannot go from {current} to {body.status}")
        net.statuses[conversion_id] = body.status
        return {"conversion_id": conversion_id, "status": body.status}

    @router.get("/conversions")
    async def conversions(status: str | None = None) -> list[dict[str, Any]]:
        net = state.network
        return [{"conversion_id": c.conversion_id, "advertiser_id": c.advertiser_id,
                 "status": net.conversion_status(c), "date": c.at.date().isoformat()}
                for c in net.conversions if status is None or net.conversion_status(c) == status]

    @router.post("/faults")
    async def add_fault(fault: Fault) -> dict[str, int]:
        state.faults.pending.append(fault)
        return {"pending": len(state.faults.pending)}

    @router.delete("/faults")
    async def clear_faults() -> dict[str, int]:
        state.faults.pending.clear()
        return {"pending": 0}

    @router.get("/requests")
    async def requests(since: int = 0) -> list[dict[str, Any]]:
        return [r for r in state.faults.log if r["seq"] > since]

    @router.delete("/requests")
    async def clear_requests() -> dict[str, int]:
        state.faults.log.clear()
        return {"cleared": 1}

    @router.get("/truth")
    async def truth(date_from: dt.date | None = None, date_to: dt.date | None = None,
                    advertiser_id: str | None = None) -> list[dict[str, Any]]:
        sums: dict[tuple[str, str], list] = {}
        for _, adv, cur, t in state.totals.window(date_from or state.scale.start_date,
                                                  date_to or state.scale.end_date):
            if advertiser_id in (None, adv):
                s = sums.setdefault((adv, cur), [0, 0, 0])
                s[0], s[1], s[2] = s[0] + t[0], s[1] + t[1], s[2] + t[2]
        return [{"advertiser_id": a, "currency": c, "revenue": five(r), "payout": five(p),
                 "conversions": n} for (a, c), (r, p, n) in sorted(sums.items())]

    return router


__all__ = ["Faults", "build_router"]
