"""GET /periods: the latest closed billing periods of a frequency, ready or not."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query

from affbill_billing.domain.periods import BillingFrequency
from affbill_billing.service_layer import periods
from affbill_runtime.runtime import Runtime


def build_router(runtime: Runtime, printable: Callable[[Any], Any]) -> APIRouter:
    router = APIRouter(tags=["billing"])

    @router.get("/periods")
    async def list_periods(frequency: BillingFrequency = BillingFrequency.MONTHLY,
                           count: Annotated[int, Query(ge=1, le=24)] = 3,
                           before: dt.date | None = None) -> dict[str, Any]:
        """The periods over before ``before`` (default: today in the network's time zone),
        newest first; ``ready`` per period and per connector, and why not."""
        return printable(await periods.list_periods(runtime.engine, frequency, count,
                                                    runtime.settings, before))

    return router
