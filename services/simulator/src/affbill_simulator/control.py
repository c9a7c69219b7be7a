"""The control API: reseed, restate, move conversions, inject faults, read the log, the truth.

No auth, so it answers loopback clients only.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field, ValidationError

from affbill_simulator.conversions import NotAllowed
from affbill_simulator.faults import Fault
from affbill_simulator.model import Row
from affbill_simulator.money import five, units
from affbill_simulator.scale import Scale
from affbill_simulator.state import SimState

Id = Annotated[str, Field(pattern=r"^[0-9]+$")]  # numeric, as both APIs number them


class Change(BaseModel):
    date: dt.date
    advertiser_id: Id
    offer_id: Id
    affiliate_id: Id
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    revenue: Decimal | None = Field(None, allow_inf_nan=False)
    payout: Decimal | None = Field(None, allow_inf_nan=False)
    conversions: int | None = Field(None, ge=0)
    removed: bool = False

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.date.isoformat(), self.advertiser_id, self.offer_id, self.affiliate_id,
                self.currency)


class Restatement(BaseModel):
    changes: list[Change]


class StatusChange(BaseModel):
    status: Literal["approved", "rejected", "pending", "invalid"]  # invalid: Everflow's word


def _loopback_only(request: Request) -> None:
    host = request.client.host if request.client else ""
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise HTTPException(403, "the control API answers loopback clients only")


def mirrored_payout(old: Row | None, revenue5: int) -> int:
    """The payout after a restatement that names only the revenue: it follows the revenue in
    proportion, as a real adtracker's reversed or added conversions change both (a new row,
    or one without revenue before: the default 80 % share)."""
    if old is None or old.revenue5 == 0:
        return revenue5 * 4 // 5
    share = Decimal(old.payout5) * revenue5 / old.revenue5
    return int(share.quantize(Decimal(1), ROUND_HALF_UP))


def _restated(state: SimState, c: Change) -> Row:
    """The row after the change: fields not given keep their value (a new row: zero); a
    restated revenue takes the payout with it unless the change names the payout too."""
    old = state.network.find(c.key)
    revenue = units(c.revenue) if c.revenue is not None else (old.revenue5 if old else 0)
    if c.payout is not None:
        payout = units(c.payout)
    elif c.revenue is not None:
        payout = mirrored_payout(old, revenue)
    else:
        payout = old.payout5 if old else 0
    conversions = c.conversions if c.conversions is not None else (old.conversions if old else 0)
    return Row(c.date, c.advertiser_id, c.offer_id, c.affiliate_id, c.currency, conversions,
               revenue, payout)


def build_router(state: SimState) -> APIRouter:
    router = APIRouter(prefix="/control", dependencies=[Depends(_loopback_only)])

    @router.post("/reset")
    async def reset(scale: dict[str, Any] | None = None) -> dict[str, Any]:
        """Reseed with the fields given (the others take their defaults)."""
        try:
            state.reset(Scale.model_validate(scale or {}))
        except ValidationError as exc:
            raise HTTPException(422, exc.errors(include_url=False, include_context=False)
                                ) from None
        return state.scale.model_dump(mode="json")

    @router.get("/scale")
    async def get_scale() -> dict[str, Any]:
        return state.scale.model_dump(mode="json")

    @router.post("/restate")
    async def restate(body: Restatement) -> dict[str, int]:
        for c in body.changes:
            state.network.restate(c.key, None if c.removed else _restated(state, c))
            state.totals.forget(c.date)
        return {"restated": len(body.changes)}

    @router.get("/conversions")
    async def conversions(status: str | None = None) -> list[dict[str, Any]]:
        book = state.conversions
        return [{"conversion_id": c.conversion_id, "advertiser_id": c.advertiser_id,
                 "status": book.status(c), "date": c.at.date().isoformat()}
                for c in book.all if status is None or book.status(c) == status]

    @router.post("/conversions/{conversion_id}/status")
    async def move(conversion_id: str, body: StatusChange) -> dict[str, str]:
        try:
            state.conversions.move(conversion_id, body.status)
        except KeyError:
            raise HTTPException(404, f"no conversion {conversion_id}") from None
        except NotAllowed as exc:
            raise HTTPException(409, str(exc)) from None
        return {"conversion_id": conversion_id, "status": body.status}

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
        return state.log.since(since)

    @router.delete("/requests")
    async def clear_requests() -> dict[str, int]:
        cleared = len(state.log.entries)
        state.log.entries.clear()  # seq goes on, so `since` stays meaningful
        return {"cleared": cleared}

    @router.get("/truth")
    async def truth(advertiser_id: str | None = None, date_from: dt.date | None = None,
                    date_to: dt.date | None = None) -> list[dict[str, Any]]:
        """Sums per advertiser and currency straight from the model (overrides applied)."""
        sums: dict[tuple[int, str], list[int]] = {}
        for _, advertiser, currency, t in state.totals.window(
                date_from or state.scale.start_date, date_to or state.scale.end_date):
            if advertiser_id in (None, advertiser):
                s = sums.setdefault((int(advertiser), currency), [0, 0, 0])
                s[0], s[1], s[2] = s[0] + t[0], s[1] + t[1], s[2] + t[2]
        return [{"advertiser_id": str(a), "currency": c, "revenue": five(r), "payout": five(p),
                 "conversions": n} for (a, c), (r, p, n) in sorted(sums.items())]

    @router.get("/payout-truth")
    async def payout_truth(affiliate_id: str | None = None, date_from: dt.date | None = None,
                           date_to: dt.date | None = None) -> list[dict[str, Any]]:
        """Payout sums per affiliate and currency straight from the model (overrides
        applied): what the affiliates' credit notes must add up to."""
        first, last = date_from or state.scale.start_date, date_to or state.scale.end_date
        sums: dict[tuple[int, str], list[int]] = {}
        day = first
        while day <= last:
            for r in state.network.day_rows(day):
                if affiliate_id in (None, r.affiliate_id):
                    s = sums.setdefault((int(r.affiliate_id), r.currency), [0, 0])
                    s[0], s[1] = s[0] + r.payout5, s[1] + r.conversions
            day += dt.timedelta(days=1)
        return [{"affiliate_id": str(a), "currency": c, "payout": five(p), "conversions": n}
                for (a, c), (p, n) in sorted(sums.items())]

    return router
