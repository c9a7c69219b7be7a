"""TUNE/HasOffers Network API v3: GET /Apiv3/json, NetworkToken, bracket parameters.

Every answer is HTTP 200 with the request echoed and a `response` whose `status`
says what happened (1 ok, 0 rate limited, -1 error) — except injected 5xx faults.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response

from affbill_simulator.faults import TRANSPORT_FAULTS
from affbill_simulator.state import SimState

MAX_LIMIT = 100_000


class Invalid(ValueError):
    """A request the API refuses with status -1 and this message."""


class Query:
    def __init__(self, request: Request) -> None:
        self.items = request.query_params.multi_items()
        self.one = dict(self.items)

    def many(self, name: str) -> list[str]:
        return [v for k, v in self.items if k == name]

    def filter_values(self, field: str) -> list[str]:
        """`filters[F]=v` or `filters[F][values][]=v...`."""
        direct = self.one.get(f"filters[{field}]")
        return [direct] if direct else self.many(f"filters[{field}][values][]")

    def echo(self) -> dict[str, Any]:
        """The parameters as the API repeats them (repeated ones as lists; never the token)."""
        out: dict[str, Any] = {}
        for key, value in self.items:
            if key.endswith("[]"):
                out.setdefault(key, []).append(value)
            elif key != "NetworkToken":
                out[key] = value
        return out

    def number(self, name: str, default: int | None) -> int | None:
        text = self.one.get(name)
        if text is None:
            return default
        try:
            return int(text)
        except ValueError:
            raise Invalid(f"Invalid {name}: {text!r}") from None


def envelope(echo: dict[str, Any], data: bytes, status: int = 1, message: str | None = None
             ) -> Response:
    body = b'{"request":%b,"response":{"status":%d,"httpStatus":200,"data":%b,"errors":[],' \
           b'"errorMessage":%b}}' % (orjson.dumps(echo), status, data, orjson.dumps(message))
    return Response(body, media_type="application/json")


def paged(q: Query, total: int, render: Callable[[int, int], list[bytes]], *,
          default_limit: int | None, keyed: bool = False) -> bytes:
    """`data` of a list answer: the page wrapper when `limit` is given, else bare rows.

    Without `limit`, reports return their first `default_limit` rows (None: all).
    """
    limit, page = q.number("limit", None), q.number("page", 1) or 0
    size = min(limit if limit is not None else default_limit or max(total, 1), MAX_LIMIT)
    if size < 1 or page < 1:
        raise Invalid("limit and page must be positive")
    start, stop = (page - 1) * size, min(page * size, total)
    rows = render(start, stop) if stop > start else []
    inner = b"{%b}" % b",".join(rows) if keyed else b"[%b]" % b",".join(rows)
    if limit is None:
        return inner
    return b'{"page":%d,"current":%d,"count":%d,"pageCount":%d,"data":%b}' % (
        page, len(rows), total, math.ceil(total / size), inner)


def corrupt(row: bytes, entity: str, bad: dict[str, Any]) -> bytes:
    """A malformed_row fault: set the field to the bad value, or drop it when none is given."""
    parsed = orjson.loads(row)
    if "value" in bad:
        parsed[entity][bad["field"]] = bad["value"]
    else:
        parsed[entity].pop(bad["field"], None)
    return orjson.dumps(parsed)


Handler = Callable[[SimState, Query, str], bytes]


def build_router(state: SimState, handlers: dict[str, Handler]) -> APIRouter:
    router = APIRouter()

    @router.get("/Apiv3/json")
    async def api(request: Request) -> Response:
        q, query, path = Query(request), request.url.query, request.url.path
        target = f"{q.one.get('Target')}::{q.one.get('Method')}"
        echo = q.echo()

        def answer(status: int, outcome: str) -> None:
            state.log.record("GET", path, query, status, outcome)

        token = q.one.get("NetworkToken")
        if token != state.network_token:
            answer(200, "unauthorized")
            return envelope(echo, b'""', -1, "Invalid NetworkToken")
        limit = state.scale.rate_limit
        usage, _ = state.limiter.hit(f"hasoffers:{token}", limit)
        fault = None if usage else state.faults.take(f"{target}?{query}", TRANSPORT_FAULTS)
        if fault and fault.kind == "rate_limit":
            usage = limit + 1
        if usage:
            answer(200, "rate_limited")
            return envelope(echo, b'""', 0, "API usage exceeded rate limit. Configured: "
                            f"{limit}/10s window; Current usage: {usage}")
        if fault and fault.kind in ("http_500", "http_504"):
            code = int(fault.kind[-3:])
            answer(code, f"fault:{fault.kind}")
            return Response(b"upstream error", status_code=code, media_type="text/plain")
        if fault:  # timeout: the answer comes, but after the client gave up
            answer(200, "fault:timeout")
            await asyncio.sleep(fault.seconds)
        handler = handlers.get(target)
        try:
            if handler is None:
                raise Invalid(f"Method {target} does not exist")
            data = handler(state, q, f"{target}?{query}")
        except Invalid as exc:
            if not fault:
                answer(200, "error")
            return envelope(echo, b'""', -1, str(exc))
        if not fault:
            answer(200, "ok")
        return envelope(echo, data)

    return router
