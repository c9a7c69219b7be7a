"""Billing periods: each period of a frequency with its readiness (a sync after its end
succeeded) and lock, a form to lock a billed period, and the scheduled runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import Response

from affbill_gateway.entrypoints.web.api import ApiProblem
from affbill_gateway.entrypoints.web.render import page, see_other
from affbill_gateway.entrypoints.web.session import Actor, Reader, api_for, flash

FREQUENCIES = ("weekly", "biweekly", "monthly", "quarterly")
Day = Annotated[str, Form(pattern=r"^\d{4}-\d{2}-\d{2}$")]


def build_router() -> APIRouter:
    router = APIRouter(prefix="/ui/periods", include_in_schema=False)

    @router.get("")
    async def periods(request: Request, user: Reader,
                      frequency: Annotated[str, Query(pattern="^(weekly|biweekly|monthly|"
                                                      "quarterly)$")] = "monthly") -> Response:
        api = api_for(request, user)
        body = await api.get("/periods", frequency=frequency, count=6)
        schedules = await api.get("/schedules")
        return page(request, "periods.html", active="periods", title="Periods", body=body,
                    frequency=frequency, frequencies=FREQUENCIES, schedules=schedules)

    @router.post("/lock")
    async def lock(request: Request, user: Actor, period_start: Day, period_end: Day,
                   reason: Annotated[str, Form(min_length=1, max_length=500)],
                   frequency: Annotated[str, Form(max_length=20)] = "monthly") -> Response:
        back = f"/ui/periods?frequency={frequency if frequency in FREQUENCIES else 'monthly'}"
        try:
            await api_for(request, user).send("POST", "/periods/lock", {
                "period_start": period_start, "period_end": period_end, "reason": reason})
        except ApiProblem as exc:
            return flash(see_other(request, back), f"Not locked: {exc}", True)
        return flash(see_other(request, back), f"Period {period_start} – {period_end} "
                     "locked: runs for it are refused, restatements go to the next one.")

    return router
