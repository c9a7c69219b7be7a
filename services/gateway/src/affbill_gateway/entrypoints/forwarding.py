"""Forwarded routes: built from the route table, passed to the owning service as they are.

The caller's query string and body go through untouched; the gateway adds who is
calling (X-Affbill-User) and the request id, and hands back the service's answer.
Downloads stream through without being held in memory.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Request, Response, Security
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from affbill_gateway.adapters.upstreams import Upstreams
from affbill_gateway.domain.routes import FORWARDED, PARAM_TYPES, Route
from affbill_gateway.entrypoints.security import current_user, route_docs
from affbill_gateway.service_layer.keys import Principal

PASSED_IN = ("content-type", "accept", "if-none-match")
PASSED_BACK = ("content-type", "content-disposition", "content-length", "etag", "last-modified",
               "cache-control", "location", "retry-after")
MAX_WAIT_S = 30.0


def upstream_headers(request: Request, user: Principal) -> dict[str, str]:
    headers = {h: v for h in PASSED_IN if (v := request.headers.get(h))}
    headers.update({"X-Request-Id": request.state.request_id, "X-Affbill-User": user.name,
                    "Accept-Encoding": "identity"})
    return headers


def long_poll_s(request: Request) -> float:
    try:
        return min(max(float(request.query_params.get("wait", 0)), 0.0), MAX_WAIT_S)
    except ValueError:
        return 0.0  # the jobs service names the bad value


async def forward(upstreams: Upstreams, route: Route, request: Request, user: Principal,
                  values: dict[str, Any]) -> Response:
    path = route.target({k: quote(str(v), safe="") for k, v in values.items()})
    if request.url.query:
        path += "?" + request.url.query
    extra = long_poll_s(request) if route.long_poll else 0.0
    response = await upstreams.send(
        route.upstream, route.method, path, stream=route.download,
        read_timeout_s=upstreams.timeout.read + extra if extra else None,
        headers=upstream_headers(request, user),
        content=await request.body() if route.has_body else None)
    headers = {h: v for h in PASSED_BACK if (v := response.headers.get(h))}
    if route.download:
        if "content-encoding" in response.headers:  # aiter_bytes decodes: the length changes
            headers.pop("content-length", None)
        return StreamingResponse(response.aiter_bytes(), response.status_code, headers,
                                 background=BackgroundTask(response.aclose))
    headers.pop("content-length", None)  # Response computes it
    return Response(response.content, response.status_code, headers)


def _endpoint(upstreams: Upstreams, route: Route) -> Any:
    async def endpoint(request: Request, user: Principal, **values: Any) -> Response:
        return await forward(upstreams, route, request, user, values)

    endpoint.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
        inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request),
        inspect.Parameter("user", inspect.Parameter.KEYWORD_ONLY,
                          annotation=Annotated[Principal, Security(current_user)]),
        *(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[
            PARAM_TYPES.get(name, str), Path(description=name.replace("_", " ") + ".")])
          for name in route.params)])
    endpoint.__name__ = f"{route.method.lower()}_{route.path.strip('/').replace('/', '_')}" \
        .replace("{", "").replace("}", "")
    return endpoint


def _openapi_extra(route: Route) -> dict[str, Any]:
    extra: dict[str, Any] = {"parameters": [
        {"name": q, "in": "query", "required": False, "schema": {"type": "string"}}
        for q in route.query]}
    if route.has_body:
        extra["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"type": "object", "description": f"As the {route.upstream} service's "
                       f"{route.method} {route.upstream_path} takes it."}}}}
    if route.download:
        extra["responses"] = {"200": {"description": "The document.", "content": {
            ("application/pdf" if route.path.endswith("pdf") else "application/xml"): {
                "schema": {"type": "string", "format": "binary"}}}}}
    return extra


def build_router(upstreams: Upstreams) -> APIRouter:
    """Routes below /api/v1 (the caller's router adds the prefix)."""
    router = APIRouter()
    for route in FORWARDED:
        router.add_api_route(
            route.path, _endpoint(upstreams, route), methods=[route.method],
            summary=route.summary, tags=[route.upstream.value],
            **route_docs(route.access, _openapi_extra(route)))
    return router

