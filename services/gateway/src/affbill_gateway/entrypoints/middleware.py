"""Pure ASGI middleware: a request id on every request, and the API key check before routing.

Authentication runs before FastAPI routes or parses anything, so a caller without a
valid key learns nothing (not even whether an id or a route exists) and a role that
may not act is refused before its body is looked at.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from affbill_gateway.domain.keys import access_of, may
from affbill_gateway.entrypoints.problems import problem_response
from affbill_gateway.service_layer.keys import Keys

log = logging.getLogger("affbill.gateway.access")
SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
PUBLIC = {"/api/v1/openapi.json"}


class RequestContext:
    """Takes the caller's X-Request-Id (when sane) or makes one; echoes it; logs the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-request-id", "")
        request_id = given if SAFE_ID.match(given) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-Id"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            principal = state.get("principal")
            log.info("%s %s %s", scope["method"], scope["path"], status, extra={
                "request_id": request_id, "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 2),
                "user": principal.name if principal else None})


def presented_key(headers: Headers) -> str:
    if key := headers.get("x-api-key"):
        return key
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class Authentication:
    """401 without a valid key, 403 when the key's role may not do this; else who is calling."""

    def __init__(self, app: ASGIApp, keys: Keys) -> None:
        self.app = app
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/") or path in PUBLIC:
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        principal = await self.keys.authenticate(presented_key(Headers(scope=scope)))
        if principal is None:
            response = problem_response(
                401, "Unauthorized", "A valid API key is required (X-API-Key or "
                "Authorization: Bearer).", state.get("request_id"),
                headers={"WWW-Authenticate": 'Bearer realm="affbill"'})
        elif not may(principal.role, access := access_of(scope["method"], path)):
            state["principal"] = principal
            response = problem_response(
                403, "Forbidden", f"The role {principal.role} may not do this "
                f"({access} access needed).", state.get("request_id"))
        else:
            state["principal"] = principal
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)
