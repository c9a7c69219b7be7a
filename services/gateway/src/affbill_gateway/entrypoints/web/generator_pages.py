"""Advertisers → Generate Invoices (and the Affiliates tab, the same for affiliates): one
line per customer, the drill-down to its entries, Process selected, Cart into Generator."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import Response

from affbill_gateway.entrypoints.web.api import ApiProblem, path_of
from affbill_gateway.entrypoints.web.render import page, see_other
from affbill_gateway.entrypoints.web.session import Actor, Reader, api_for, flash

PAGE_SIZE = 50
Search = Annotated[str | None, Query(max_length=200)]
Page = Annotated[int, Query(ge=1, le=100_000)]
Selected = Annotated[list[str], Form(max_length=10_000)]
TAB = {"advertiser": "generator", "affiliate": "affiliates"}


def build_router() -> APIRouter:
    router = APIRouter(prefix="/ui", include_in_schema=False)

    async def listing(request: Request, user: Reader, kind: str, q: str | None, page_no: int,
                      period_to: str | None) -> Response:
        body = await api_for(request, user).get(
            "/generator", customer=q, kind=kind, page=page_no, page_size=PAGE_SIZE,
            period_to=period_to)
        pages = max(1, -(-body["customers"] // PAGE_SIZE))
        return page(request, "generator.html", active=TAB[kind], kind=kind,
                    title="Generate invoices" if kind == "advertiser" else "Affiliates",
                    body=body, q=q or "", page_no=page_no, pages=pages,
                    period_to=period_to or "")

    @router.get("/generator")
    async def generator(request: Request, user: Reader, q: Search = None, page: Page = 1,
                        period_to: Annotated[str | None, Query(max_length=10)] = None
                        ) -> Response:
        return await listing(request, user, "advertiser", q, page, period_to)

    @router.get("/affiliates")
    async def affiliates(request: Request, user: Reader, q: Search = None, page: Page = 1,
                         period_to: Annotated[str | None, Query(max_length=10)] = None
                         ) -> Response:
        return await listing(request, user, "affiliate", q, page, period_to)

    @router.get("/generator/{customer_id}")
    async def entries(request: Request, user: Reader, customer_id: str, page: Page = 1
                      ) -> Response:
        api = api_for(request, user)
        body = await api.get(path_of("generator", customer_id, "items"), page=page,
                             page_size=200)
        customer = await api.get(path_of("customers", customer_id))
        pages = max(1, -(-body["total"] // 200))
        return page_of(request, customer, body, page, pages)

    def page_of(request: Request, customer: dict, body: dict, page_no: int,
                pages: int) -> Response:
        tab = TAB.get(customer.get("kind", "advertiser"), "generator")
        return page(request, "entries.html", active=tab, title=customer.get("name") or
                    customer["customer_id"], customer=customer, body=body, page_no=page_no,
                    pages=pages)

    @router.post("/generator/process")
    async def process_selected(request: Request, user: Actor,
                               customer_ids: Selected = [],  # noqa: B006 (FastAPI's default)
                               item_ids: Selected = [],  # noqa: B006
                               period: Annotated[str, Form(max_length=30)] = "",
                               back: Annotated[str, Form(max_length=300)] = "/ui/generator"
                               ) -> Response:
        """Process selected: a run over the ticked customers (or entries); to its job."""
        back = back if back.startswith("/ui/") else "/ui/generator"
        if not customer_ids and not item_ids:
            return flash(see_other(request, back), "Tick at least one line first.", True)
        body = {"customer_ids": customer_ids, "item_ids": item_ids,
                **({"period": period} if period.strip() else {})}
        try:
            run = await api_for(request, user).send("POST", "/runs", body)
        except ApiProblem as exc:
            return flash(see_other(request, back), f"Not started: {exc}", True)
        return flash(see_other(request, f"/ui/jobs/{run['job_id']}"),
                     "The run is processing in the background; you can go on working.")

    @router.post("/generator/{customer_id}/cart")
    async def cart(request: Request, user: Actor, customer_id: str,
                   item_ids: Selected = []) -> Response:  # noqa: B006
        """Cart into Generator: the ticked entries become a draft with the presets."""
        back = "/ui/generator/" + path_of(customer_id).lstrip("/")
        if not item_ids:
            return flash(see_other(request, back), "Tick at least one entry first.", True)
        try:
            draft = await api_for(request, user).send(
                "POST", "/drafts", {"customer_id": customer_id, "item_ids": item_ids})
        except ApiProblem as exc:
            return flash(see_other(request, back), f"Not carted: {exc}", True)
        return see_other(request, f"/ui/drafts/{draft['draft_id']}")

    return router
