"""The gateway's own routes: API keys, runs, sync requests; the rest is forwarded.

Routes here are thin: validate, call a handler or the owning service, answer.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response, Security
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from affbill_contracts.billing import MAX_SELECTED, CustomerKind, DueDateBasis, InvoiceDateRule
from affbill_contracts.bounds import MAX_OFFSET, Name
from affbill_contracts.money import CurrencyCode
from affbill_contracts.periods import FORMATS, period_days
from affbill_contracts.sync import SyncScope
from affbill_contracts.wire import jsonable
from affbill_gateway.domain.keys import Access, Role
from affbill_gateway.domain.routes import API, Upstream
from affbill_gateway.entrypoints import forwarding
from affbill_gateway.entrypoints import views_api as v
from affbill_gateway.entrypoints.security import current_user, route_docs
from affbill_gateway.service_layer import runs
from affbill_gateway.service_layer.keys import KeyNameTaken, LastAdmin, Principal, UnknownKey
from affbill_runtime.runtime import Runtime

User = Annotated[Principal, Security(current_user)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


class KeyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name = Field(min_length=1, max_length=100, pattern=r"\S",
                       description="Who uses the key; services record it as who did what. "
                       "Any script; no control or bidi formatting characters.",
                       examples=["anna@network.example", "Łukasz"])
    role: Role = Field(description="admin, accountant or viewer.", examples=["accountant"])


class SyncRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    connector: Name = Field(min_length=1, max_length=64, examples=["hasoffers-sim"])
    scope: SyncScope = Field(description="standard or partial.", examples=["standard"])
    date_from: dt.date | None = Field(None, description="Window start (default: first day "
                                      "of the previous month).")
    date_to: dt.date | None = Field(None, description="Window end, inclusive (default: today).")

    @model_validator(mode="after")
    def _window_in_order(self) -> SyncRequest:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from is after date_to")
        return self


class RunRequest(BaseModel):
    """Process selected: whole customers, single items, or every customer in the generator;
    the filters narrow any of them. Billing resolves the selection when the run starts."""

    model_config = ConfigDict(extra="forbid")

    customer_ids: list[Annotated[Name, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=MAX_SELECTED, examples=[["hasoffers-sim:advertiser:501"]],
        description=f"At most {MAX_SELECTED:,}; for more, select all with filters.")
    item_ids: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_SELECTED,
                                      description=f"At most {MAX_SELECTED:,}.")
    all: bool = Field(False, validate_default=True,
                      description="Every customer in the generator now.")
    period: str | None = Field(None, max_length=30, description="The billing period: "
                               f"{FORMATS}. Default: each customer's last closed period "
                               "(its profile's billing frequency).", examples=["2026-11"])
    period_end: dt.date | None = Field(None, description="Instead of a period: bill items up "
                                       "to this day (never the current day).")
    invoice_date_rule: InvoiceDateRule | None = Field(None, description="The invoice date for "
                                                      "this run instead of each profile's.")
    due_date_basis: DueDateBasis | None = Field(None, description="Count payment days from "
                                                "the invoice date or the generation day, for "
                                                "this run instead of each profile's choice.")
    dry_run: bool = Field(False, description="Compute what the run would do and change "
                          "nothing; its job log and CSV (/dry-runs/{job_id}/csv) show it.")
    force_reason: Name | None = Field(None, min_length=1, max_length=500, pattern=r"\S",
                                      description="Bill a period that is not ready yet, and "
                                      "why (the job log records it with your name).")
    currency: CurrencyCode | None = Field(None, description="Bill only items in this currency.")
    customer_kind: CustomerKind | None = Field(None, description="Only advertisers or only "
                                               "affiliates.")
    account_manager_id: str | None = Field(None, min_length=1, max_length=200,
                                           description="Only this account manager's customers.")

    @field_validator("period")
    @classmethod
    def _known_period(cls, value: str | None) -> str | None:
        if value is not None:
            period_days(value)  # a ValueError naming the period and the formats
        return value

    @field_validator("period_end")
    @classmethod
    def _one_period(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        if value is not None and info.data.get("period"):
            raise ValueError("period and period_end cannot be combined")
        return value

    def period_days(self) -> tuple[dt.date | None, dt.date | None]:
        """(first, last) day of the period asked for; (None, None): the default."""
        return period_days(self.period) if self.period else (None, self.period_end)

    @field_validator("all")
    @classmethod
    def _one_selection(cls, value: bool, info: ValidationInfo) -> bool:
        chosen = bool(info.data.get("customer_ids") or info.data.get("item_ids"))
        if value and chosen:
            raise ValueError("all cannot be combined with customer_ids or item_ids")
        if not value and not chosen and {"customer_ids", "item_ids"} <= info.data.keys():
            raise ValueError("select customer_ids, item_ids, or all: true")
        return value


def _key(row: dict[str, Any]) -> dict[str, Any]:
    return jsonable(row)


def build_router(runtime: Runtime) -> APIRouter:
    keys, upstreams = runtime.state.keys, runtime.state.upstreams
    router = APIRouter(prefix=API)

    @router.get("/openapi.json", include_in_schema=False)
    async def openapi(request: Request) -> dict[str, Any]:
        return request.app.openapi()

    @router.post("/keys", status_code=201, tags=["keys"], summary="Create an API key "
                 "(its clear text is shown only in this answer)",
                 **route_docs(Access.ADMIN, answer=v.NewApiKey, status=201))
    async def create_key(body: KeyRequest, user: User) -> dict[str, Any]:
        try:
            row, key = await keys.create(body.name, body.role, created_by=user.name)
        except KeyNameTaken:
            raise HTTPException(409, f"An active key named {body.name!r} exists") from None
        return {**_key(row), "key": key}

    @router.get("/keys", tags=["keys"], summary="List API keys (never their secrets)",
                **route_docs(Access.ADMIN, answer=v.ApiKeyPage))
    async def list_keys(user: User, limit: Limit = 50, offset: Offset = 0,
                        revoked: bool = False) -> dict[str, Any]:
        rows, total = await keys.list(limit, offset, revoked)
        return {"items": [_key(r) for r in rows], "total": total, "limit": limit,
                "offset": offset}

    @router.delete("/keys/{key_id}", tags=["keys"], summary="Revoke an API key",
                   **route_docs(Access.ADMIN, answer=v.ApiKey))
    async def revoke_key(key_id: uuid.UUID, user: User) -> dict[str, Any]:
        try:
            return _key(await keys.revoke(key_id))
        except UnknownKey:
            raise HTTPException(404, "No such API key") from None
        except LastAdmin:
            raise HTTPException(409, "The last active admin key cannot be revoked") from None

    @router.post("/runs", status_code=202, tags=["billing"],
                 summary="Process selected: bill customers or items in a background run",
                 **route_docs(Access.ACT, answer=v.JobStarted, status=202))
    async def request_run(body: RunRequest, request: Request, user: User) -> dict[str, str]:
        period_start, period_end = body.period_days()
        if body.all:
            headers = forwarding.upstream_headers(request)
            try:
                await runs.check_something_to_bill(lambda params: upstreams.get_json(
                    Upstream.BILLING, "/generator", headers, params, user.identity),
                    period_end, body.currency, body.account_manager_id, body.customer_kind)
            except runs.NothingToBill:
                raise HTTPException(409, "Nothing to bill: the generator has no customer "
                                    "with open items") from None
        title = ("Dry run: " if body.dry_run else "Process selected: ") + (
            "all customers" if body.all else
            f"{len(body.customer_ids)} customer{'' if len(body.customer_ids) == 1 else 's'}, "
            f"{len(body.item_ids)} item{'' if len(body.item_ids) == 1 else 's'}")
        job_id = await runs.request_run(
            runtime.uow(), all_customers=body.all, customer_ids=body.customer_ids,
            item_ids=body.item_ids, period_start=period_start, period_end=period_end,
            currency=body.currency, customer_kind=body.customer_kind,
            account_manager_id=body.account_manager_id, requested_by=user.name, title=title,
            invoice_date_rule=body.invoice_date_rule, due_date_basis=body.due_date_basis,
            force_reason=body.force_reason, dry_run=body.dry_run)
        return {"job_id": str(job_id), "status": "queued"}

    preview_docs = route_docs(Access.READ)
    preview_docs["responses"] = {**preview_docs["responses"],
                                 200: {"content": {"application/pdf": {
                                     "schema": {"type": "string", "format": "binary"}}}}}

    @router.get("/drafts/{draft_id}/preview", tags=["billing"], response_class=Response,
                summary="A draft's PDF preview: watermark DRAFT, no number", **preview_docs)
    async def preview_draft(draft_id: uuid.UUID, request: Request, user: User) -> Response:
        """Billing states the document Create would issue today; the documents service
        prints it with the issued documents' template. A refusal of either is relayed."""
        headers = forwarding.upstream_headers(request)
        document = await upstreams.send(Upstream.BILLING, "GET",
                                        f"/drafts/{draft_id}/preview-document",
                                        headers=headers, identity=user.identity)
        if document.status_code >= 400:
            return Response(document.content, document.status_code,
                            media_type=document.headers.get("content-type"))
        headers["content-type"] = "application/json"
        pdf = await upstreams.send(Upstream.DOCUMENTS, "POST", "/previews", headers=headers,
                                   identity=user.identity, content=document.content)
        return Response(pdf.content, pdf.status_code,
                        media_type=pdf.headers.get("content-type"),
                        headers={"Content-Disposition":
                                 f'inline; filename="draft-{draft_id}.pdf"'}
                        if pdf.status_code == 200 else None)

    @router.post("/adtracker/syncs", status_code=202, tags=["sync"],
                 summary="Start a standard or partial sync",
                 **route_docs(Access.ACT, answer=v.JobStarted, status=202))
    async def request_sync(body: SyncRequest, request: Request, user: User) -> Response:
        headers = forwarding.upstream_headers(request)
        headers["content-type"] = "application/json"
        response = await upstreams.send(Upstream.SYNC, "POST", "/syncs", headers=headers,
                                        identity=user.identity,
                                        content=json.dumps({
                                            **body.model_dump(mode="json", exclude_none=True),
                                            "requested_by": user.name}).encode())
        return Response(response.content, response.status_code,
                        media_type=response.headers.get("content-type"))

    return router
