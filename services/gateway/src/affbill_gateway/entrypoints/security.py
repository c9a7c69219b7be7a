"""Who is calling (found by the Authentication middleware) and how routes document it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPBearer

from affbill_gateway.domain.keys import Access, roles_for
from affbill_gateway.entrypoints.problems import PROBLEM_SCHEMA
from affbill_gateway.service_layer.keys import Principal

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                              description="An affbill API key.")
bearer = HTTPBearer(auto_error=False, description="An affbill API key as a bearer token.")


async def current_user(request: Request,
                       _key: Annotated[str | None, Security(api_key_header)],
                       _bearer: Annotated[Any, Security(bearer)]) -> Principal:
    principal = getattr(request.state, "principal", None)
    if principal is None:  # only if a route escaped the middleware: refuse, never guess
        raise HTTPException(401, "Unauthorized")
    return principal


def _problem(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}}}


ERRORS = {401: _problem("No valid API key."), 403: _problem("The key's role may not do this."),
          404: _problem("No such thing (the id names it)."),
          409: _problem("Refused as things stand: a stale version, a name taken, nothing to do."),
          422: _problem("The request is not valid: each field with its reason."),
          502: _problem("The owning service is not reachable."),
          504: _problem("The owning service did not answer in time."),
          "default": _problem("Any other problem (RFC 9457), with the request id.")}


def route_docs(access: Access, openapi_extra: dict[str, Any] | None = None,
               answer: Any = None, status: int = 200) -> dict[str, Any]:
    """Keyword arguments of a route: who may call it, the problems it can answer, and
    (`answer`) the model of its answer, documented only: the route prints its answer."""
    roles = [r.value for r in roles_for(access)]
    typed: dict[str, Any] = {"response_model": None, "responses": {
        status: {"model": answer}, **ERRORS}} if answer is not None else {"responses": ERRORS}
    return {"description": f"Roles: {', '.join(roles)}.", **typed,
            "openapi_extra": {**(openapi_extra or {}), "x-affbill-roles": roles}}
