"""Pure ASGI middleware: a request id on every request, and the API key check before routing.

Authentication runs before FastAPI routes or parses anything, so a caller without a
valid key learns nothing (not even whether an id or a route exists) and a role that
may not act is refused before its body is looked at. A client address whose keys keep
failing is throttled (429 with Retry-After) before any lookup, and the 429 itself comes
only after a pause (a tarpit of `TARPIT_S`, for at most `TARPIT_HELD` requests at once):
a guesser that ignores Retry-After then waits on each of its connections instead of
taking the gateway's CPU from real users. A key that was valid lately is never
throttled, so guessers beside real users do not slow them down.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
import uuid
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from affbill_gateway.domain.keys import access_of, may
from affbill_gateway.domain.throttle import TokenBuckets
from affbill_gateway.entrypoints.problems import problem_response
from affbill_gateway.service_layer.keys import Keys

log = logging.getLogger("affbill.gateway.access")
SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
PUBLIC = {"/api/v1/openapi.json"}
UI_PRINCIPAL = "affbill.ui_principal"  # scope key: the web UI calls the API in-process
TARPIT_S = 1.0
TARPIT_HELD = 1000


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
                "request_id": request_id, "status": status, "client": client_address(scope),
                "ms": round((time.perf_counter() - started) * 1000, 2),
                "user": principal.name if principal else None})


def client_address(scope: Scope) -> str:
    """The caller's address (uvicorn puts a trusted proxy's X-Forwarded-For there)."""
    client = scope.get("client")
    return client[0] if client else "unknown"


def presented_key(headers: Headers) -> str:
    if key := headers.get("x-api-key"):
        return key
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class Authentication:
    """401 without a valid key, 403 when the key's role may not do this; else who is calling."""

    def __init__(self, app: ASGIApp, keys: Keys, throttle: TokenBuckets) -> None:
        self.app = app
        self.keys = keys
        self.throttle = throttle
        self.held = 0  # throttled requests pausing now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/") or path in PUBLIC:
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        if (signed_in := scope.get(UI_PRINCIPAL)) is not None:
            # the web UI's own call for its signed-in user (entrypoints/web/api.py): no
            # server puts this key in a scope, so no client can
            await self._as(signed_in, scope, receive, send)
            return
        key, client = presented_key(Headers(scope=scope)), client_address(scope)
        trusted = self.keys.recently_valid(key)
        if not trusted and (wait := self.throttle.wait_s(client)):
            await self._tarpit()
            await problem_response(
                429, "Too Many Requests", "Too many requests with keys that are not valid "
                "from this address; try again later.", state.get("request_id"),
                headers={"Retry-After": str(max(1, math.ceil(wait)))})(scope, receive, send)
            return
        principal = await self.keys.authenticate(key)
        if principal is None and not trusted:
            self.throttle.take(client)
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

    async def _as(self, principal: Any, scope: Scope, receive: Receive, send: Send) -> None:
        """The same role check for a UI user as for a key."""
        state = scope["state"]
        state["principal"] = principal
        if may(principal.role, access := access_of(scope["method"], scope["path"])):
            await self.app(scope, receive, send)
            return
        await problem_response(403, "Forbidden", f"The role {principal.role} may not do this "
                               f"({access} access needed).", state.get("request_id")
                               )(scope, receive, send)

    async def _tarpit(self) -> None:
        if self.held >= TARPIT_HELD:
            return  # a bounded number of pauses: past it, refusing at once is cheaper
        self.held += 1
        try:
            await asyncio.sleep(TARPIT_S)
        finally:
            self.held -= 1
