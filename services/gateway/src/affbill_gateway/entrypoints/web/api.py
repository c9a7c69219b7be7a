"""The API for one signed-in user, called in-process: the same routes, roles and audit.

A page asks `/api/v1/...` of this very gateway app as an ASGI call carrying the user
(middleware.UI_PRINCIPAL): the Authentication middleware checks the user's role as it
checks a key's, the Forwarder relays to the owning service signed for the user, and the
services record the username as who acted. No second path to the services exists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from starlette.types import ASGIApp, Message

from affbill_gateway.entrypoints.middleware import UI_PRINCIPAL
from affbill_gateway.service_layer.keys import Principal


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class ApiProblem(Exception):
    """The API refused: its status, and its problem's title, detail and field errors."""

    status: int
    title: str
    detail: str
    errors: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, answer: Answer) -> ApiProblem:
        try:
            body = answer.json() or {}
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        return cls(answer.status, str(body.get("title") or "Refused"),
                   str(body.get("detail") or body.get("title") or f"status {answer.status}"),
                   list(body.get("errors") or []))

    def __str__(self) -> str:
        return self.detail


def path_of(*segments: str) -> str:
    """A path of ids quoted for the API (customer ids hold colons, names anything)."""
    return "/" + "/".join(quote(str(s), safe=":@") for s in segments)


class Api:
    def __init__(self, app: ASGIApp, principal: Principal, request_id: str | None) -> None:
        self.app = app
        self.principal = principal
        self.request_id = request_id

    async def call(self, method: str, path: str, params: dict[str, Any] | None = None,
                   body: Any = None) -> Answer:
        """One request to /api/v1 + `path` as the user; params with None are left out."""
        query = urlencode({k: v for k, v in (params or {}).items() if v not in (None, "")},
                          doseq=True)
        content = json.dumps(body).encode() if body is not None else b""
        headers = [(b"host", b"gateway"), (b"accept", b"application/json")]
        if body is not None:
            headers.append((b"content-type", b"application/json"))
        if self.request_id:
            headers.append((b"x-request-id", self.request_id.encode()))
        full = "/api/v1" + path
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": method, "scheme": "http", "path": full,
                 "raw_path": full.encode(), "query_string": query.encode(), "root_path": "",
                 "headers": headers, "client": ("127.0.0.1", 0), "server": ("gateway", 80),
                 UI_PRINCIPAL: self.principal}
        sent = False
        status, answer_headers, chunks = 500, {}, []

        async def receive() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": content, "more_body": False}

        async def send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                answer_headers.update({k.decode().lower(): v.decode("latin-1")
                                       for k, v in message.get("headers", [])})
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return Answer(status, answer_headers, b"".join(chunks))

    async def get(self, path: str, **params: Any) -> Any:
        """The JSON answer of a GET, or ApiProblem."""
        return await self.send("GET", path, params=params)

    async def send(self, method: str, path: str, body: Any = None,
                   params: dict[str, Any] | None = None) -> Any:
        answer = await self.call(method, path, params, body)
        if answer.status >= 400:
            raise ApiProblem.of(answer)
        return answer.json()
