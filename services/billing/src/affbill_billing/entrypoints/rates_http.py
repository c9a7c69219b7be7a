"""HTTP routes of exchange rates: the rates of a day, a day's history, a manual rate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from affbill_billing.entrypoints import views_api as v
from affbill_billing.entrypoints.problems import ProblemRoute, acting_user
from affbill_billing.service_layer import rates
from affbill_contracts.bounds import Text
from affbill_contracts.money import CurrencyCode
from affbill_contracts.wire import answers
from affbill_runtime.runtime import Runtime

User = Annotated[str, Depends(acting_user)]


class ManualRate(BaseModel):
    model_config = {"extra": "forbid"}

    currency: CurrencyCode = Field(description="The quoted currency.", examples=["GBP"])
    rate_date: dt.date = Field(description="The day the rate is for.", examples=["2026-11-30"])
    rate: Decimal = Field(gt=0, max_digits=28, decimal_places=10, allow_inf_nan=False,
                          description="Units of the currency per one euro.",
                          examples=["0.86905"])
    reason: Text = Field(min_length=3, max_length=500, pattern=r"\S",
                         description="Why the rate is entered by hand.",
                         examples=["ECB published no rate: rate of the Bundesbank"])


def as_published(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rates with the digits they were published with ("0.87010", not "0.8701")."""
    return [{**r, "rate": str(r["rate"])} for r in rows]


def build_router(runtime: Runtime, printable: Any) -> APIRouter:
    router = APIRouter(tags=["rates"], route_class=ProblemRoute)

    @router.get("/rates", **answers(v.RatesOfDay))
    async def rates_of_day(date: dt.date | None = None, currency: CurrencyCode | None = None
                           ) -> dict[str, Any]:
        """The rate a document dated ``date`` uses per currency (that day's, else the last
        published before it), with its source and, for a manual rate, who and why."""
        day = date or dt.date.today()
        async with runtime.engine.connect() as conn:
            found = await rates.rates_of_day(conn, day, currency)
        return printable({"date": day, "rates": as_published(found)})

    @router.get("/rates/{currency}/{rate_date}/history", **answers(list[v.Rate]))
    async def history(currency: CurrencyCode, rate_date: dt.date) -> Any:
        """Every rate recorded for the day, oldest first: corrections stay visible."""
        async with runtime.engine.connect() as conn:
            return printable(as_published(
                await rates.rates_repo.history(conn, currency, rate_date)))

    @router.post("/rates", status_code=201, **answers(list[v.Rate], 201))
    async def enter_rate(body: ManualRate, user: User) -> Any:
        """Enter a rate by hand: it is the day's rate from now on (audited)."""
        return printable(as_published([await rates.enter_manual(
            runtime.uow, currency=body.currency, rate_date=body.rate_date, rate=body.rate,
            user=user, reason=body.reason)])[0])

    return router
