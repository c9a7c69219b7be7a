"""GET /periods: the latest closed billing periods of a frequency, ready or not;
GET /dry-runs/{run_id}/csv: a dry run's lines as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response

from affbill_billing.adapters import dry_runs_repo
from affbill_billing.domain.dry_run import CSV_COLUMNS
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
