"""What makes a service process: the FastAPI app around a runtime, and its command line."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import uvicorn
from fastapi import APIRouter, FastAPI
from faststream import FastStream
from faststream.specification import AsyncAPI
from starlette.types import Scope

from affbill_runtime import tracing
from affbill_runtime.acting import ActingUser, Actor, actor_from_headers
from affbill_runtime.health import health_router, metrics_router
from affbill_runtime.http_guard import RequestGuard
from affbill_runtime.http_spans import ServerSpans
from affbill_runtime.internal_auth import InternalTrust
from affbill_runtime.logs import configure_logging
from affbill_runtime.metrics import HttpMetrics
from affbill_runtime.migrations import upgrade
from affbill_runtime.problems import install_problem_handlers
from affbill_runtime.runtime import Runtime
from affbill_runtime.settings import ServiceSettings


def service_app(runtime: Runtime, *, title: str, description: str = "",
                http_routers: Sequence[APIRouter] = (), internal: bool = True,
                acting: Callable[[Scope], Actor | None] = actor_from_headers) -> FastAPI:
    """A service's FastAPI app: health and its routers. An internal service (`internal`)
    also gets problems for hostile input (RequestGuard) and needs the gateway's signature
    on every call; in production its OpenAPI pages are off. The gateway places its own
    guard among its middleware, and its server spans (http_spans.py) outside them.
    `acting` finds who acts in a request (the audit trail's "who"): by default the identity
    the gateway signed."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    settings = runtime.settings
    docs = {"docs_url": None, "redoc_url": None, "openapi_url": None} \
        if internal and settings.production else {}
    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan,
                  **docs)
    install_problem_handlers(app)
    app.include_router(health_router(runtime))
    app.include_router(metrics_router(runtime))
    for router in http_routers:
        app.include_router(router)
    app.add_middleware(ActingUser, read=acting)  # innermost: after any authentication
    app.add_middleware(HttpMetrics, service=settings.service_name)
    app.state.runtime = runtime
    if internal:  # trust outside the guard: no body is read for a caller not the gateway
        app.add_middleware(RequestGuard, max_body=settings.http_max_body_bytes)
        pages = tuple(p for p in (app.docs_url, app.redoc_url, app.openapi_url) if p)
        app.add_middleware(InternalTrust, key=settings.signing_key, open_paths=pages,
                           max_body=settings.http_max_body_bytes)
        if tracing.enabled():  # outermost: the span covers the trust check too
            app.add_middleware(ServerSpans, service=settings.service_name)
    return app


def asyncapi_app(runtime: Runtime, *, title: str, description: str = "") -> FastStream:
    """The FastStream application whose schema `faststream docs gen` writes."""
    return FastStream(runtime.broker, specification=AsyncAPI(
        title=title, version="0.1.0", description=description))


def run_cli(*, package: str, settings_factory: Callable[[], ServiceSettings],
            app_factory: str, asyncapi_factory: Callable[[], FastStream],
            argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=package.replace("_", "-"))
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run migrations (unless disabled), then serve")
    serve.add_argument("--port", type=int)
    sub.add_parser("migrate", help="apply the schema migrations and exit")
    docs = sub.add_parser("asyncapi", help="write the AsyncAPI document")
    docs.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    settings = settings_factory()
    configure_logging(settings.service_name, settings.log_level)
    if settings.internal_secret is None:
        logging.getLogger("affbill.runtime").warning(
            "AFFBILL_INTERNAL_SECRET is not set: internal calls are signed with the "
            "development secret, which anyone can use (refused when AFFBILL_ENV=production)")

    if args.command == "migrate" or (args.command == "serve" and settings.migrate_on_start):
        upgrade(package, settings.database_url, settings.db_schema)
    if args.command == "serve":
        # uvloop and httptools are installed, so uvicorn's "auto" picks them
        uvicorn.run(app_factory, factory=True, host=settings.http_host,
                    port=args.port or settings.http_port, log_config=None,
                    log_level=settings.log_level.lower(), workers=settings.http_workers,
                    access_log=settings.http_access_log)
    elif args.command == "asyncapi":
        schema = asyncapi_factory().schema.to_specification().to_jsonable()
        text = json.dumps(schema, indent=2)
        if args.out:
            args.out.write_text(text)
        else:
            sys.stdout.write(text + "\n")


