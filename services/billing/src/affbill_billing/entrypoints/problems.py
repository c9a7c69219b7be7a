"""Billing's answers as RFC 9457 problems, for every route of its routers: bad draft input
names the field (422), a stale version tells the current one (409), X-Request-Id is echoed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from affbill_billing.domain.drafts import DraftError
from affbill_billing.domain.fx import MissingRate
from affbill_billing.service_layer.errors import (
    InvalidDocument,
    NotFound,
    Refused,
    StaleVersion,
)
from affbill_runtime.internal_auth import caller
from affbill_runtime.problems import problem

USER_HEADER = "X-Affbill-User"


class MissingUser(Exception):
    """A mutating request without the acting user's header."""


def _as_problem(exc: Exception) -> Response | None:
    if isinstance(exc, RequestValidationError):
        errors = [{"field": ".".join(str(p) for p in e["loc"] if p != "body"),
                   "reason": e["msg"]} for e in exc.errors()]
        return problem(422, "Invalid request", "; ".join(f"{e['field']}: {e['reason']}"
                                                         for e in errors), errors=errors)
    if isinstance(exc, DraftError):
        return problem(422, "Invalid request", f"{exc.field}: {exc.reason}",
                       errors=[{"field": exc.field, "reason": exc.reason}])
    if isinstance(exc, InvalidDocument):
        return problem(422, "Document would not be a valid EN 16931 invoice",
                       f"Nothing was numbered: {exc}",
                       errors=[{"rule": v.rule, "reason": v.message, "field": v.field}
                               for v in exc.violations])
    if isinstance(exc, MissingUser):
        return problem(400, f"Missing header {USER_HEADER}",
                       f"{USER_HEADER} names who acts; the gateway sets it",
                       errors=[{"field": USER_HEADER, "reason": "required"}])
    if isinstance(exc, MissingRate):  # never guessed: the clerk enters one or waits
        return problem(409, "No exchange rate", f"{exc}: enter a manual rate (POST /rates) "
                       "or sync the rates", currency=exc.currency, date=exc.day.isoformat())
    if isinstance(exc, StaleVersion):
        return problem(409, "Stale version", str(exc), current_version=exc.current)
    if isinstance(exc, Refused):
        return problem(409, "Refused", str(exc))
    if isinstance(exc, NotFound):
        return problem(404, "Not found", str(exc))
    return None


class ProblemRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:
                response = _as_problem(exc)
                if response is None:
                    raise
                if request_id := request.headers.get("X-Request-Id"):
                    response.headers["X-Request-Id"] = request_id
                return response

        return route


def acting_user(request: Request) -> str:
    """Who acts (requested_by, approved_by, …): the name the gateway signed
    (affbill_runtime.internal_auth); an unsigned header is never read."""
    identity = caller(request.state)
    user = identity.name.strip() if identity else ""
    if not user:
        raise MissingUser
    return user


