"""The invoice list (filters and search), one document with its lines, its PDF (inline
preview or download), cancel, and a partial credit note."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import Response

from affbill_gateway.entrypoints.web.api import ApiProblem
from affbill_gateway.entrypoints.web.render import page, see_other
from affbill_gateway.entrypoints.web.session import Actor, Reader, api_for, flash

Word = Annotated[str | None, Query(max_length=200)]
STATUSES = ("issued", "cancelled", "cancellation", "credited", "credit_note")


def build_router() -> APIRouter:
    router = APIRouter(prefix="/ui/invoices", include_in_schema=False)

    @router.get("")
    async def invoices(request: Request, user: Reader, q: Word = None, customer: Word = None,
                       status: Word = None, date_from: Word = None, date_to: Word = None,
                       currency: Word = None,
                       page_no: Annotated[int, Query(alias="page", ge=1)] = 1) -> Response:
        filters = {"number": q, "customer_id": customer, "status": status,
                   "date_from": date_from, "date_to": date_to, "currency": currency}
        body = await api_for(request, user).get("/invoices", **filters, limit=50,
                                                offset=(page_no - 1) * 50)
        query = "".join(f"{k}={v}&" for k, v in (("q", q), ("customer", customer),
                                                 ("status", status), ("date_from", date_from),
                                                 ("date_to", date_to), ("currency", currency))
                        if v)
        return page(request, "invoices.html", active="invoices", title="Invoices", body=body,
                    f={**filters, "q": q}, statuses=STATUSES, page_no=page_no,
                    pages=max(1, -(-body["total"] // 50)), query=query)

    @router.get("/{invoice_id}")
    async def invoice(request: Request, user: Reader, invoice_id: uuid.UUID) -> Response:
        api = api_for(request, user)
        found = await api.get(f"/invoices/{invoice_id}")
        try:
            lines = await api.get(f"/invoices/{invoice_id}/lines")
        except ApiProblem:  # a document billing does not list lines of: the PDF has them
            lines = {}
        return page(request, "invoice.html", active="invoices", title=found.get("number"),
                    invoice=found, lines=lines.get("items") or [])

    @router.get("/{invoice_id}/pdf")
    async def pdf(request: Request, user: Reader, invoice_id: uuid.UUID,
                  download: bool = False) -> Response:
        answer = await api_for(request, user).call("GET", f"/invoices/{invoice_id}/pdf")
        if answer.status >= 400:
            raise ApiProblem.of(answer)
        disposition = answer.headers.get("content-disposition") or \
            f'inline; filename="{invoice_id}.pdf"'
        if download:
            disposition = disposition.replace("inline", "attachment")
        else:
            disposition = disposition.replace("attachment", "inline")
        return Response(answer.body, media_type="application/pdf",
                        headers={"Content-Disposition": disposition})

    @router.post("/{invoice_id}/cancel")
    async def cancel(request: Request, user: Actor, invoice_id: uuid.UUID) -> Response:
        back = f"/ui/invoices/{invoice_id}"
        try:
            done = await api_for(request, user).send("POST", f"/invoices/{invoice_id}/cancel")
        except ApiProblem as exc:
            return flash(see_other(request, back), f"Not cancelled: {exc}", True)
        return flash(see_other(request, back), f"Cancelled by document {done.get('number')}; "
                     "it appears in the list once rendered.")

    @router.post("/{invoice_id}/credit-note")
    async def credit_note(request: Request, user: Actor, invoice_id: uuid.UUID,
                          amount: Annotated[str, Form(max_length=30)],
                          reason: Annotated[str, Form(min_length=1, max_length=500)]
                          ) -> Response:
        back = f"/ui/invoices/{invoice_id}"
        try:
            done = await api_for(request, user).send(
                "POST", f"/invoices/{invoice_id}/credit-notes",
                {"amount": amount.strip(), "reason": reason})
        except ApiProblem as exc:
            fields = "; ".join(f"{e.get('field')}: {e.get('reason')}" for e in exc.errors)
            return flash(see_other(request, back), f"No credit note: {exc}"
                         + (f" ({fields})" if fields else ""), True)
        return flash(see_other(request, back), f"Credit note {done.get('number')} issued.")

    return router
