"""Forwarded routes: the route table served as plain ASGI and relayed to the owning service.

A relay needs neither FastAPI's router nor its dependency solving, which cost several
times the relay itself per request (bench/gateway_load.py): `Forwarder` matches the
table, checks the typed path parameters, and passes the caller's query string and body
through untouched, adding who is calling (signed: affbill_runtime.internal_auth) and the
request id. The service's answer goes back as bytes; downloads stream through without
being held.
The OpenAPI document describes the same table (`documented_routes`).
"""

from __future__ import annotations

import inspect
import math
import re
import uuid
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote

from fastapi import Path, Request, Security
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from affbill_gateway.adapters.upstreams import UpstreamResponse, Upstreams, UpstreamUnavailable
from affbill_gateway.domain.routes import API, FORWARDED, PARAM_TYPES, Route
from affbill_gateway.entrypoints.problems import problem_response, unavailable
from affbill_gateway.entrypoints.security import current_user, route_docs
from affbill_gateway.service_layer.keys import Principal

PASSED_IN = ("content-type", "accept", "if-none-match")
PASSED_BACK = ("content-type", "content-disposition", "content-length", "etag", "last-modified",
               "cache-control", "location", "retry-after")
MAX_WAIT_S = 30.0
MAX_BODY = 16 * 1024 * 1024


def upstream_headers(request: Request) -> dict[str, str]:
    """What a service gets besides the body and the signed caller: content headers, the id."""
    return _upstream_headers(request.headers, request.state.request_id)


def _upstream_headers(given: Headers, request_id: str) -> dict[str, str]:
    headers = {h: v for h in PASSED_IN if (v := given.get(h))}
    headers.update({"X-Request-Id": request_id, "Accept-Encoding": "identity"})
    return headers


def long_poll_s(query: str) -> float:
    """The ?wait= of a long-poll, as the jobs service caps it (0 when absent or not a
    finite number: the jobs service names the bad value)."""
    try:
        wait = float(dict(parse_qsl(query)).get("wait", 0))
    except ValueError:
        return 0.0
    return min(max(wait, 0.0), MAX_WAIT_S) if math.isfinite(wait) else 0.0


def _pattern(route: Route) -> re.Pattern[str]:
    return re.compile(re.sub(r"{(\w+)}", r"(?P<\1>[^/]+)", re.escape(API + route.path)
                             .replace(r"\{", "{").replace(r"\}", "}")))


def _path_values(route: Route, given: dict[str, str]) -> tuple[dict[str, str], list[dict]]:
    """The path parameters quoted for the service, or the errors of the ones not well-typed."""
    values, errors = {}, []
    for name, value in given.items():
        if PARAM_TYPES.get(name) is uuid.UUID:
            try:
                value = str(uuid.UUID(value))
            except ValueError:
                errors.append({"field": f"path.{name}", "reason": "must be a UUID"})
                continue
        values[name] = quote(value, safe="")
    return values, errors


class _Disconnected(Exception):
    """The caller went away before its body was read: nothing is forwarded."""


async def _body(receive: Receive) -> bytes | None:
    """The whole request body, or None when it is larger than MAX_BODY."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


class Forwarder:
    """Serves the forwarded routes of the table; anything else goes on to FastAPI.

    Runs after Authentication, so the caller (scope state "principal") is known and
    allowed. A path of the table with another method goes on too: the gateway's own
    POST /adtracker/syncs sits beside the forwarded GET /adtracker/syncs.
    """

    def __init__(self, app: ASGIApp, upstreams: Upstreams) -> None:
        self.app = app
        self.upstreams = upstreams
        self.table = [(_pattern(r), r) for r in FORWARDED]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(API + "/"):
            await self.app(scope, receive, send)
            return
        for pattern, route in self.table:
            if route.method == scope["method"] and (match := pattern.fullmatch(path)):
                await self.forward(route, match.groupdict(), scope, receive, send)
                return
        await self.app(scope, receive, send)  # the gateway's own routes, or 404/405

    async def forward(self, route: Route, given: dict[str, str], scope: Scope,
                      receive: Receive, send: Send) -> None:
        state = scope["state"]
        request_id = state.get("request_id")
        values, errors = _path_values(route, given)
        try:
            body = await _body(receive) if route.has_body else None
        except _Disconnected:
            return
        if refusal := _refusal(errors, route.has_body and body is None, request_id):
            await refusal(scope, receive, send)
            return
        target = route.target(values)
        query = scope.get("query_string", b"").decode("latin-1")
        if query:
            target += "?" + query
        extra = long_poll_s(query) if route.long_poll else 0.0
        try:
            response = await self.upstreams.send(
                route.upstream, route.method, target, stream=route.download,
                read_timeout_s=self.upstreams.read_timeout_s + extra if extra else None,
                headers=_upstream_headers(Headers(scope=scope), request_id),
                identity=state["principal"].identity, content=body)
        except UpstreamUnavailable as exc:
            await unavailable(exc, request_id)(scope, receive, send)
            return
        await _relay(response, route.download, send)


def _refusal(errors: list[dict[str, str]], too_large: bool, request_id: str | None
             ) -> Response | None:
    """The problem for a request the gateway refuses itself, or None."""
    if errors:
        return problem_response(422, "Invalid request", "; ".join(
            f"{e['field']}: {e['reason']}" for e in errors), request_id, errors=errors)
    if too_large:
        return problem_response(413, "Content Too Large", f"A request body may have at most "
                                f"{MAX_BODY} bytes.", request_id)
    return None


async def _relay(response: UpstreamResponse, stream: bool, send: Send) -> None:
    """The service's answer to the caller: status, the headers that matter, the bytes."""
    headers = [(h.encode(), v.encode("latin-1")) for h in PASSED_BACK
               if h != "content-length" and (v := response.headers.get(h))]
    if not stream:
        if response.status_code not in (204, 304):  # answers that never have a body
            headers.append((b"content-length", str(len(response.content)).encode()))
        await send({"type": "http.response.start", "status": response.status_code,
                    "headers": headers})
        await send({"type": "http.response.body", "body": response.content})
        return
    if length := response.headers.get("content-length"):
        headers.append((b"content-length", length.encode()))
    try:
        await send({"type": "http.response.start", "status": response.status_code,
                    "headers": headers})
        async for chunk in response.aiter_bytes():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    finally:
        await response.aclose()


def _signature(route: Route) -> inspect.Signature:
    return inspect.Signature([
        inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request),
        inspect.Parameter("user", inspect.Parameter.KEYWORD_ONLY,
                          annotation=Annotated[Principal, Security(current_user)]),
        *(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[
            PARAM_TYPES.get(name, str), Path(description=name.replace("_", " ") + ".")])
          for name in route.params)])


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
            download_type(route): {"schema": {"type": "string", "format": "binary"}}}}}
    return extra


def download_type(route: Route) -> str:
    """The media type a download route answers with."""
    return {"pdf": "application/pdf", "csv": "text/csv"}.get(route.path.rsplit("/", 1)[1],
                                                                 "application/xml")


def documented_routes() -> list[APIRoute]:
    """The table as FastAPI routes for the OpenAPI document only: Forwarder serves them,
    so their endpoints (a signature, no body) are never mounted or called."""
    routes = []
    for route in FORWARDED:
        def described() -> None:
            """Served by Forwarder."""
        described.__signature__ = _signature(route)  # type: ignore[attr-defined]
        described.__name__ = f"{route.method.lower()}_{route.path.strip('/')}".replace(
            "/", "_").replace("{", "").replace("}", "")
        routes.append(APIRoute(API + route.path, described, methods=[route.method],
                               response_class=Response if route.download else JSONResponse,
                               summary=route.summary, tags=[route.upstream.value],
                               **route_docs(route.access, _openapi_extra(route))))
    return routes
