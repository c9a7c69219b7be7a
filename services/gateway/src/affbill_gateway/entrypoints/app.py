"""ASGI factory: `uvicorn --factory affbill_gateway.entrypoints.app:create_app`."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from affbill_gateway.bootstrap import bootstrap
from affbill_gateway.config import Settings
from affbill_gateway.entrypoints import audit_http, forwarding, http, problems, typed_routes, web
from affbill_gateway.entrypoints.forwarding import Forwarder
from affbill_gateway.entrypoints.middleware import Authentication, RequestContext
from affbill_runtime import tracing
from affbill_runtime.http_guard import RequestGuard
from affbill_runtime.http_spans import ServerSpans
from affbill_runtime.runtime import Runtime
from affbill_runtime.service import service_app

log = logging.getLogger("affbill.gateway")


def _openapi(app: FastAPI, documented: list[APIRoute]) -> dict[str, Any]:
    """FastAPI's document of its own routes and of the forwarded ones (served by Forwarder),
    these typed as their services type them (typed_routes)."""
    app.openapi_schema = typed_routes.type_forwarded(get_openapi(
        title=app.title, version=app.version, description=app.description,
        routes=[*app.routes, *documented]))
    return app.openapi_schema


def create_app(runtime: Runtime | None = None) -> FastAPI:
    runtime = runtime or bootstrap()
    app = service_app(runtime, title="affbill gateway",
                      description="The one public HTTP entry: API keys, roles, and routing to "
                                  "the owning service. Every /api/v1 route needs an API key.",
                      http_routers=[http.build_router(runtime), audit_http.build_router(runtime)],
                      acting=audit_http.principal_actor, internal=False)
    problems.install(app)
    web.install(app, runtime)  # the web UI under /ui
    documented = forwarding.documented_routes()
    app.openapi = lambda: app.openapi_schema or _openapi(app, documented)  # type: ignore[method-assign]
    app.add_middleware(Forwarder, upstreams=runtime.state.upstreams)  # innermost: after the key
    # hostile input (NUL, bodies over the limit) is refused for forwarded and own routes alike,
    # after the key: an unknown caller's body is never read
    app.add_middleware(RequestGuard, max_body=runtime.settings.http_max_body_bytes)
    app.add_middleware(Authentication, keys=runtime.state.keys, throttle=runtime.state.throttle)
    app.add_middleware(RequestContext)  # the id exists before anything answers
    if tracing.enabled():  # outermost: a request's span covers its key check and its relay
        app.add_middleware(ServerSpans, service=runtime.settings.service_name)
    started = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[None]:
        async with started(a):
            settings: Settings = runtime.state.settings
            if settings.bootstrap_admin_key and await runtime.state.keys.ensure_bootstrap_admin(
                    settings.bootstrap_admin_key.get_secret_value(),
                    settings.bootstrap_admin_name):
                log.info("first admin key created from configuration",
                         extra={"key_name": settings.bootstrap_admin_name})
            if settings.ui_bootstrap_admin_password and \
                    await runtime.state.users.ensure_bootstrap_admin(
                        settings.ui_bootstrap_admin_user,
                        settings.ui_bootstrap_admin_password.get_secret_value()):
                log.info("first admin user of the web UI created from configuration",
                         extra={"username": settings.ui_bootstrap_admin_user})
            # the app's long-lived objects leave the collector's view: full collections
            # under load then take well under a millisecond instead of ~100 ms
            gc.freeze()
            try:
                yield
            finally:
                await runtime.state.upstreams.aclose()

    app.router.lifespan_context = lifespan
    return app
