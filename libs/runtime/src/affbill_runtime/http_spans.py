"""Server spans of HTTP requests: one per request, named by its route's template.

The span continues the caller's trace (``traceparent`` of the request) and is current while
the route runs, so what the route writes to the outbox and the calls it makes carry it.
Health probes and ``/metrics`` get none. Installed only when tracing is on (tracing.py).
"""

from __future__ import annotations

from opentelemetry import propagate
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from affbill_runtime.metrics import route_template
from affbill_runtime.tracing import TRACER

UNTRACED = ("/metrics", "/health/")
PROPAGATED = (b"traceparent", b"tracestate", b"baggage")


class ServerSpans:
    """ASGI middleware: a SERVER span around each request (see the module's text)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path or path.startswith(UNTRACED):
            await self.app(scope, receive, send)
            return
        carrier = {k.decode("latin-1"): v.decode("latin-1")
                   for k, v in scope.get("headers", ()) if k in PROPAGATED}
        method = scope["method"]
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        with TRACER.start_as_current_span(
                method, context=propagate.extract(carrier) if carrier else None,
                kind=SpanKind.SERVER, attributes={
                    "http.request.method": method, "url.path": path,
                    "url.scheme": scope.get("scheme", "http")}) as span:
            try:
                await self.app(scope, receive, sending)
            finally:
                route = route_template(scope)
                span.update_name(f"{method} {route}")
                span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", status[0])
                if status[0] >= 500:
                    span.set_status(Status(StatusCode.ERROR))
