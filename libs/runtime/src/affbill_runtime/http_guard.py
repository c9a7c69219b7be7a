"""Hostile HTTP input ends as a 4xx problem before any route sees it, and nothing ends as
a bare 500.

`RequestGuard` refuses a NUL character in the path or the query (400; PostgreSQL text
cannot hold it), a body over the limit (413, by Content-Length or as it streams in) and
a JSON body with a NUL escape in any string (422 naming the field). It reads the body
once and hands it on. An exception no handler turned into an answer becomes a 500
problem with the request id, logged with its traceback.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from affbill_runtime.problems import PROBLEM

log = logging.getLogger("affbill.http")
# a JSON \u0000 escape: its backslash is not itself escaped (preceded by an even run of them)
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


class _Refused(Exception):
    def __init__(self, status: int, title: str, detail: str, errors: list[dict[str, str]]
                 ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.errors = status, title, detail, errors


class _Gone(Exception):
    """The client went away while its body was read."""


def _problem(scope: Scope, status: int, title: str, detail: str,
             errors: list[dict[str, str]] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status,
                            "detail": detail}
    request_id = scope.get("state", {}).get("request_id") or Headers(scope=scope).get(
        "x-request-id")
    if request_id:
        body["request_id"] = request_id
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def nul_field(value: Any, where: str = "") -> str | None:
    """The dotted path of the first string (or key) holding a NUL character, or None."""
    if isinstance(value, str):
        return where or "body" if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) \
        if isinstance(value, list) else ()
    for key, item in items:
        path = f"{where}.{key}" if where else str(key)
        if isinstance(key, str) and "\x00" in key:
            return path
        if found := nul_field(item, path):
            return found
    return None


def _target_refusal(scope: Scope) -> _Refused | None:
    if "\x00" in scope.get("path", ""):
        return _Refused(400, "Bad Request", "path: must not contain the NUL character",
                        [{"field": "path", "reason": "must not contain the NUL character"}])
    query = scope.get("query_string", b"")
    if b"\x00" in unquote_to_bytes(query):
        return _Refused(400, "Bad Request", "query: must not contain the NUL character",
                        [{"field": "query", "reason": "must not contain the NUL character"}])
    return None


class RequestGuard:
    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    def _too_large(self) -> _Refused:
        reason = f"may have at most {self.max_body} bytes"
        return _Refused(413, "Content Too Large", f"body: {reason}",
                        [{"field": "body", "reason": reason}])

    async def _body(self, scope: Scope, headers: Headers, receive: Receive) -> bytes:
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            if not length.isdigit():
                raise _Refused(400, "Bad Request", "Content-Length is not a number",
                               [{"field": "Content-Length", "reason": "not a number"}])
            raise self._too_large()
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Gone()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise self._too_large()
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    @staticmethod
    def _json_refusal(headers: Headers, body: bytes) -> _Refused | None:
        if "json" not in headers.get("content-type", "") or not _JSON_NUL.search(body):
            return None
        try:
            field = nul_field(json.loads(body)) or "body"
        except ValueError:
            return None  # not JSON after all: the route names what is wrong with it
        reason = "must not contain the NUL character"
        return _Refused(422, "Invalid request", f"{field}: {reason}",
                        [{"field": field, "reason": reason}])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        try:
            if refused := _target_refusal(scope):
                raise refused
            if "content-length" in headers or "transfer-encoding" in headers:
                body = await self._body(scope, headers, receive)
                if refused := self._json_refusal(headers, body):
                    raise refused
                receive = _replay(body, receive)
        except _Refused as exc:
            await _problem(scope, exc.status, exc.title, exc.detail, exc.errors)(
                scope, receive, send)
            return
        except _Gone:
            return
        await self._answer(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception:
            log.exception("request failed", extra={
                "path": scope.get("path"), "method": scope.get("method"),
                "request_id": scope.get("state", {}).get("request_id")})
            if not started:
                await _problem(scope, 500, "Internal Server Error", "The service failed; the "
                               "request id finds it in the logs.")(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body read once, then what the client does next (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
