"""GET /periods: the latest closed billing periods of a frequency, ready or not;
GET /dry-runs/{run_id}/csv: a dry run's lines as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from affbill_billing.adapters import dry_runs_repo, periods_repo
from affbill_billing.domain.dry_run import CSV_COLUMNS
from affbill_billing.domain.periods import BillingFrequency
from affbill_billing.entrypoints import views_api as v
from affbill_billing.entrypoints.problems import ProblemRoute, acting_user
from affbill_billing.service_layer import periods
from affbill_contracts.bounds import Text
from affbill_contracts.wire import answers
from affbill_runtime.runtime import Runtime

User = Annotated[str, Depends(acting_user)]


class PeriodLock(BaseModel):
    """Lock a billed period: no run bills it again; restatements of its days become
    adjustment items billed in the next open period."""

    model_config = ConfigDict(extra="forbid")

    period_start: dt.date
    period_end: dt.date
    reason: Text = Field(min_length=1, max_length=500, pattern=r"\S",
                         examples=["November closed and sent to accounting"])

    @model_validator(mode="after")
    def _days(self) -> PeriodLock:
        if self.period_start > self.period_end:
            raise ValueError("period_end is before period_start")
        return self


def build_router(runtime: Runtime, printable: Callable[[Any], Any]) -> APIRouter:
    router = APIRouter(tags=["billing"], route_class=ProblemRoute)

    @router.get("/periods", **answers(v.Periods))
    async def list_periods(frequency: BillingFrequency = BillingFrequency.MONTHLY,
                           count: Annotated[int, Query(ge=1, le=24)] = 3,
                           before: dt.date | None = None) -> dict[str, Any]:
        """The periods over before ``before`` (default: today in the network's time zone),
        newest first; ``ready`` per period and per connector, and why not."""
        return printable(await periods.list_periods(runtime.engine, frequency, count,
                                                    runtime.settings, before))

    @router.get("/customers/{customer_id}/threshold-ledger", **answers(v.ThresholdLedger))
    async def threshold_ledger(customer_id: str) -> dict[str, Any]:
        """Which run carried how much below the threshold, newest first."""
        async with runtime.engine.connect() as conn:
            rows = await periods_repo.threshold_ledger(conn, customer_id)
        return printable({"customer_id": customer_id, "items": rows})

    @router.post("/periods/lock", **answers(v.PeriodLocked))
    async def lock_period(body: PeriodLock, user: User) -> dict[str, Any]:
        locked = await periods.lock_period(runtime.engine, body.period_start, body.period_end,
                                           user, body.reason)
        return {"period_start": str(body.period_start), "period_end": str(body.period_end),
                "locked": True, "already_locked": not locked}

    @router.get("/dry-runs/{run_id}/csv")
    async def dry_run_csv(run_id: uuid.UUID) -> Response:
        """One line per customer and currency: outcome, totals, the previous period's net
        total and the change in percent, the reason of a skip."""
        rows = await dry_runs_repo.lines(runtime.engine, run_id)
        if not rows:
            raise HTTPException(404, "No dry run with this id (or it is not finished yet)")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        return Response(out.getvalue(), media_type="text/csv", headers={
            "content-disposition": f'attachment; filename="dry-run-{run_id}.csv"'})

    return router
