"""HTTP route of the payout export: the affiliates' issued credit notes become payout files
(SEPA pain.001.001.09 for EUR by SEPA, CSV otherwise), each credit note marked exported."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from affbill_billing.entrypoints import views_api as v
from affbill_billing.entrypoints.problems import ProblemRoute, acting_user
from affbill_billing.service_layer.payout_exports import (
    ExportRequest,
    PayoutExport,
    export_payouts,
)
from affbill_contracts.wire import answers
from affbill_runtime.runtime import Runtime

User = Annotated[str, Depends(acting_user)]


class PayoutExportIn(BaseModel):
    """Which credit notes to pay out; none named: every issued one not exported yet."""

    model_config = {"extra": "forbid"}

    credit_note_ids: list[uuid.UUID] | None = Field(
        default=None, max_length=10_000, description="Just these credit notes.")
    customer_ids: list[str] | None = Field(
        default=None, max_length=10_000, description="Just these affiliates' credit notes.")
    entity: str | None = Field(default=None, max_length=200,
                               description="Just the credit notes this seller entity pays.")
    again: bool = Field(default=False, description="Export named credit notes again although "
                        "they are in a payout file already (an explicit choice).")
    execution_date: dt.date | None = Field(
        default=None, description="Requested execution date of the transfers (default today).")


def view(export: PayoutExport) -> dict[str, Any]:
    return {"job_id": str(export.job_id),
            "files": [{"file_id": str(f.file_id), "entity": f.entity,
                       "format": f.file_format.value, "currency": f.currency,
                       "filename": f.filename, "sha256": f.sha256,
                       "credit_notes": f.credit_notes, "total": f"{f.total:f}",
                       "content": f.content} for f in export.files],
            "skipped": [{"number": n, "reason": r} for n, r in export.skipped]}


def build_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["payouts"], route_class=ProblemRoute)

    @router.post("/payouts/exports", status_code=201, **answers(v.PayoutExportView, 201))
    async def export(body: PayoutExportIn, user: User) -> dict[str, Any]:
        """Write the payout files and mark their credit notes "payout exported"; a credit
        note already in a file is exported again only when named with again=true."""
        request = ExportRequest(body.credit_note_ids, body.customer_ids, body.entity,
                                body.again, body.execution_date)
        return view(await export_payouts(runtime.uow, request, user, runtime.settings))

    return router
