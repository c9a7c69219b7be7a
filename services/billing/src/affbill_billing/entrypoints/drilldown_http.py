"""HTTP routes of the drill-down: an issued document's lines, the items it (or a line)
billed, an item's stat rows. Thin: parse, call the read side, print."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from affbill_billing.entrypoints import views_api as v
from affbill_billing.entrypoints.problems import ProblemRoute
from affbill_billing.service_layer import drilldown
from affbill_contracts.bounds import MAX_OFFSET
from affbill_contracts.wire import answers
from affbill_runtime.runtime import Runtime


def build_router(runtime: Runtime, printable: Any) -> APIRouter:
    router = APIRouter(tags=["drill-down"], route_class=ProblemRoute)
    engine = runtime.engine

    @router.get("/invoices/{invoice_id}/lines", **answers(v.IssuedLines))
    async def invoice_lines(invoice_id: uuid.UUID) -> Any:
        """An issued document's lines, each with how many billable items it billed."""
        return printable(await drilldown.invoice_lines(engine, invoice_id))

    @router.get("/invoices/{invoice_id}/items", **answers(v.IssuedItems))
    async def invoice_items(invoice_id: uuid.UUID,
                            line_no: Annotated[int | None, Query(ge=1, le=100_000)] = None,
                            limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                            offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> Any:
        """The billable items an issued document (or its line `line_no`) billed."""
        return printable(await drilldown.invoice_items(engine, invoice_id, line_no, limit,
                                                       offset))

    @router.get("/items/{item_id}/stat-rows", **answers(v.ItemStatRows))
    async def item_stat_rows(item_id: uuid.UUID) -> Any:
        """The stat rows (per affiliate, as last synced) an item adds up."""
        return printable(await drilldown.item_stat_rows(engine, item_id))

    return router
