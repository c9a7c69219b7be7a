"""The gateway's problem responses (RFC 9457): every one carries the request id."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from affbill_gateway.adapters.upstreams import UpstreamStatusError, UpstreamUnavailable
from affbill_runtime.problems import PROBLEM

PROBLEM_SCHEMA = {
    "type": "object", "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "request_id": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "reason": {"type": "string"}}}}},
}


def problem_response(status: int, title: str, detail: str | None, request_id: str | None,
                     headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if request_id:
        body["request_id"] = request_id
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def unavailable(exc: UpstreamUnavailable, request_id: str | None) -> JSONResponse:
    """502 when the service refused or dropped the connection, 504 when it was too slow."""
    if exc.timeout:
        return problem_response(504, "Gateway Timeout", f"The {exc.upstream} service did not "
                                "answer in time.", request_id)
    return problem_response(502, "Bad Gateway", f"The {exc.upstream} service is not "
                            "reachable.", request_id)


def request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def install(app: FastAPI) -> None:
    """Replace the runtime's handlers with ones that echo the request id."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"field": ".".join(str(p) for p in e["loc"] if p != "body"),
                   "reason": e["msg"].removeprefix("Value error, ")} for e in exc.errors()]
        return problem_response(422, "Invalid request", "; ".join(
            f"{e['field']}: {e['reason']}" for e in errors), request_id(request), errors=errors)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        return problem_response(exc.status_code, str(exc.detail), None, request_id(request),
                                headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(500, "Internal Server Error", "The gateway failed; the request "
                                "id finds it in the logs.", request_id(request))

    @app.exception_handler(UpstreamUnavailable)
    async def _upstream(request: Request, exc: UpstreamUnavailable) -> JSONResponse:
        return unavailable(exc, request_id(request))

    @app.exception_handler(UpstreamStatusError)
    async def _refused(request: Request, exc: UpstreamStatusError) -> JSONResponse:
        return problem_response(502, "Bad Gateway", f"{exc}: the gateway could not go on.",
                                request_id(request))
