"""HTTP routes of the manual generator: customers, drafts (cart, custom, edit, approve,
Create, discard, bulk issue) and invoices (view, cancel, credit). Thin: parse, call a use case."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from affbill_billing.adapters import billing_queries as queries
from affbill_billing.domain.drafts import Draft
from affbill_billing.domain.invoice_lines import Line, Vat
from affbill_billing.entrypoints import draft_views as dv
from affbill_billing.entrypoints import drafts_api as api
from affbill_billing.entrypoints import views_api as v
from affbill_billing.entrypoints.problems import ProblemRoute, acting_user
from affbill_billing.service_layer import credit_notes, drafts, issuing, previews, views
from affbill_billing.service_layer.errors import NotFound
from affbill_contracts.bounds import MAX_OFFSET
from affbill_contracts.wire import answers, rounded
from affbill_runtime.runtime import Runtime

User = Annotated[str, Depends(acting_user)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Version = Annotated[int, Query(ge=1, le=2**31 - 1)]


def page(items: list[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def build_router(runtime: Runtime, printable: Any) -> APIRouter:
    """`printable` turns Decimals and dates into the API's strings."""
    router = APIRouter(tags=["drafts"], route_class=ProblemRoute)
    settings, uow, engine = runtime.settings, runtime.uow, runtime.engine

    async def draft_view(draft_id: uuid.UUID) -> Any:
        return printable(await views.draft(engine, draft_id, settings.approvals_required))

    @router.get("/customers", **answers(v.CustomerPage))
    async def list_customers(q: str | None = None, account_manager: str | None = None,
                             limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        rows = await queries.customers(engine, q, account_manager, limit, offset)
        total = rows[0]["total"] if rows else 0
        return page(printable([{k: v for k, v in r.items() if k != "total"} for r in rows]),
                    total, limit, offset)

    @router.get("/customers/{customer_id}", **answers(v.CustomerDetail))
    async def get_customer(customer_id: str) -> Any:
        found = await queries.customer(engine, customer_id)
        if found is None:
            raise NotFound(f"No customer {customer_id}")
        found["open"] = [{**o, "open_total": rounded(o["open_total"], o["currency"])}
                         for o in found["open"]]
        return printable(found)

    @router.post("/drafts", status_code=201, **answers(dv.Draft, 201))
    async def cart_into_generator(body: api.CartIn, user: User) -> Any:
        draft_id = await drafts.cart_into_generator(uow, body.customer_id, body.item_ids, user,
                                                    settings)
        return await draft_view(draft_id)

    @router.post("/drafts/custom", status_code=201, **answers(dv.Draft, 201))
    async def custom_invoice(body: api.CustomIn, user: User) -> Any:
        def lines(default: Vat) -> list[Line]:
            made = [line.line(default, f"lines.{n}") for n, line in enumerate(body.lines)]
            api.check_amounts(made, "lines")
            return made
        draft_id = await drafts.custom_invoice(uow, body.customer_id, lines, body.currency, user,
                                               settings, supply_date=body.supply_date)
        return await draft_view(draft_id)

    @router.get("/drafts", **answers(dv.DraftPage))
    async def list_drafts(customer_id: str | None = None, limit: Limit = 50,
                          offset: Offset = 0) -> dict[str, Any]:
        items, total = await views.drafts(engine, customer_id, limit, offset,
                                          settings.approvals_required)
        return page(printable(items), total, limit, offset)

    @router.post("/drafts/issue", status_code=202, **answers(v.JobStarted, 202))
    async def bulk_issue(body: api.BulkIssue, user: User) -> dict[str, str]:
        job_id = await issuing.request_bulk_issue(uow, body.draft_ids, user)
        return {"job_id": str(job_id)}

    @router.get("/drafts/{draft_id}", **answers(dv.Draft))
    async def get_draft(draft_id: uuid.UUID) -> Any:
        return await draft_view(draft_id)

    @router.get("/drafts/{draft_id}/preview-document")
    async def preview_document(draft_id: uuid.UUID) -> Any:
        """The unnumbered document Create would issue today (the gateway has it printed)."""
        document = await previews.preview_document(uow, draft_id, settings)
        return document.model_dump(mode="json")

    @router.patch("/drafts/{draft_id}", **answers(dv.Draft))
    async def edit_presets(draft_id: uuid.UUID, body: api.DraftUpdate, _: User) -> Any:
        await drafts.change_presets(uow, draft_id, body.version, body.changes(), settings)
        return await draft_view(draft_id)

    @router.post("/drafts/{draft_id}/lines", status_code=201, **answers(dv.Draft, 201))
    async def add_line(draft_id: uuid.UUID, body: api.AddLine, _: User) -> Any:
        def add(draft: Draft) -> None:
            draft.add_line(body.line.line(draft.default_vat(settings.domestic_vat_rate), "line"))
            api.check_amounts((d.line for d in draft.lines), "line")
        await drafts.edit(uow, draft_id, body.version, add)
        return await draft_view(draft_id)

    @router.patch("/drafts/{draft_id}/lines/{line_id}", **answers(dv.Draft))
    async def edit_line(draft_id: uuid.UUID, line_id: uuid.UUID, body: api.LineEdit,
                        _: User) -> Any:
        changes = body.changes()

        def edit(draft: Draft) -> None:
            draft.edit_line(line_id, changes)
            api.check_amounts((d.line for d in draft.lines), "line")
        await drafts.edit(uow, draft_id, body.version, edit)
        return await draft_view(draft_id)

    @router.delete("/drafts/{draft_id}/lines/{line_id}", **answers(dv.Draft))
    async def remove_line(draft_id: uuid.UUID, line_id: uuid.UUID, version: Version,
                          _: User) -> Any:
        await drafts.edit(uow, draft_id, version, lambda d: d.remove_line(line_id))
        return await draft_view(draft_id)

    @router.post("/drafts/{draft_id}/approve", **answers(dv.Draft))
    async def approve(draft_id: uuid.UUID, body: api.VersionIn, user: User) -> Any:
        await drafts.approve(uow, draft_id, body.version, user, settings.four_eyes())
        return await draft_view(draft_id)

    @router.post("/drafts/{draft_id}/issue", **answers(dv.Invoice))
    async def issue(draft_id: uuid.UUID, body: api.VersionIn, user: User) -> Any:
        _, job_id = await issuing.issue_draft(uow, draft_id, body.version, user, settings)
        return printable({**await views.invoice(engine, draft_id), "job_id": job_id})

    @router.delete("/drafts/{draft_id}", status_code=204)
    async def discard(draft_id: uuid.UUID, version: Version, _: User) -> Response:
        await drafts.discard(uow, draft_id, version)
        return Response(status_code=204)

    @router.get("/invoices/{invoice_id}", **answers(dv.Invoice))
    async def get_invoice(invoice_id: uuid.UUID) -> Any:
        return printable(await views.invoice(engine, invoice_id))

    @router.post("/invoices/{invoice_id}/cancel", status_code=201,
                 **answers(dv.Invoice, 201))
    async def cancel(invoice_id: uuid.UUID, user: User) -> Any:
        document, job_id = await issuing.cancel_invoice(uow, invoice_id, user, settings)
        return printable({**await views.invoice(engine, document.invoice_id), "job_id": job_id})

    @router.post("/invoices/{invoice_id}/credit-notes", status_code=201,
                 **answers(dv.Invoice, 201))
    async def credit(invoice_id: uuid.UUID, body: api.CreditNoteIn, user: User) -> Any:
        document, job_id = await credit_notes.credit_invoice(uow, invoice_id, body.request(),
                                                             user, settings)
        return printable({**await views.invoice(engine, document.invoice_id), "job_id": job_id})

    return router
