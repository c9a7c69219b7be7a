"""The audit trails through one route (admin): GET /api/v1/audit?service=… reads the gateway's
own trail (API keys) or asks the owning service for its trail; /audit/verify checks a chain.

Who acts in the gateway is the key's owner (`principal_actor`), never a header a caller sent.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response, Security
from starlette.types import Scope

from affbill_gateway.domain.keys import Access
from affbill_gateway.domain.routes import API, Upstream
from affbill_gateway.entrypoints import forwarding
from affbill_gateway.entrypoints import views_api as v
from affbill_gateway.entrypoints.security import current_user, route_docs
from affbill_gateway.service_layer.keys import Principal
from affbill_runtime.acting import Actor
from affbill_runtime.audit_http import NO_CONTROLS, AuditFilter, entries, verify_trail
from affbill_runtime.runtime import Runtime


class AuditedService(StrEnum):
    """The services that keep an audit trail."""

    GATEWAY = "gateway"  # API keys (the users)
    BILLING = "billing"  # billing profiles, drafts, approvals, Create, cancellations
    SYNC = "sync"  # sync requests


def principal_actor(scope: Scope) -> Actor | None:
    """The gateway's "who": the owner of the API key the Authentication middleware found."""
    state = scope.get("state") or {}
    principal = state.get("principal")
    if principal is None:
        return None
    return Actor(principal.name, principal.role.value, state.get("request_id"))


Word = Annotated[str | None, Query(max_length=200, pattern=NO_CONTROLS)]
Caller = Annotated[Principal, Security(current_user)]


def build_router(runtime: Runtime) -> APIRouter:
    upstreams = runtime.state.upstreams
    router = APIRouter(prefix=API, tags=["audit"])

    async def ask(service: AuditedService, path: str, request: Request, user: Principal,
                  params: dict[str, Any]) -> Response:
        query = urlencode({k: v for k, v in params.items() if v is not None})
        response = await upstreams.send(
            Upstream(service.value), "GET", path + (f"?{query}" if query else ""),
            headers=forwarding.upstream_headers(request), identity=user.identity)
        return Response(response.content, response.status_code,
                        media_type=response.headers.get("content-type"))

    @router.get("/audit", summary="The audit trail of a service: who changed what, when, "
                "before and after", **route_docs(Access.ADMIN, answer=v.AuditPage))
    async def list_audit(
            request: Request, user: Caller, service: AuditedService,
            entity_kind: Word = None, entity_id: Word = None, action: Word = None,
            who: Annotated[str | None, Query(alias="user", max_length=200,
                                             pattern=NO_CONTROLS)] = None,
            since: Annotated[dt.datetime | None, Query(alias="from")] = None,
            until: Annotated[dt.datetime | None, Query(alias="to")] = None,
            limit: Annotated[int, Query(ge=1, le=500)] = 50,
            offset: Annotated[int, Query(ge=0, le=2**31)] = 0) -> Any:
        if service == AuditedService.GATEWAY:
            f = AuditFilter(entity_kind, entity_id, who, action, since, until)
            items, total = await entries(runtime.engine, f, limit, offset)
            return {"items": items, "total": total, "limit": limit, "offset": offset}
        return await ask(service, "/audit", request, user, {
            "entity_kind": entity_kind, "entity_id": entity_id, "action": action, "user": who,
            "from": since and since.isoformat(), "to": until and until.isoformat(),
            "limit": limit, "offset": offset})

    @router.get("/audit/verify", summary="Recompute a service's audit hash chain",
                **route_docs(Access.ADMIN, answer=v.ChainStatus))
    async def verify_audit(request: Request, user: Caller, service: AuditedService) -> Any:
        if service == AuditedService.GATEWAY:
            return (await verify_trail(runtime.engine)).as_dict()
        return await ask(service, "/audit/verify", request, user, {})

    return router
