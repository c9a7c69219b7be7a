"""Liveness and readiness: ready means Postgres and Kafka answer, migrations are applied
and no consumer is stuck retrying a message."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from affbill_runtime import metrics
from affbill_runtime.migrations import current_revision, head_revision
from affbill_runtime.runtime import Runtime


async def readiness(runtime: Runtime) -> dict[str, Any]:
    checks: dict[str, Any] = {}
    try:
        async with asyncio.timeout(2):
            async with runtime.engine.connect() as conn:
                await conn.execute(text("select 1"))
        checks["database"] = "ok"
        head = head_revision(runtime.package)
        current = await current_revision(runtime.engine, runtime.schema)
        checks["migrations"] = "ok" if current == head else f"at {current}, head is {head}"
    except Exception as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
        checks["migrations"] = "unknown"
    try:
        ok = await runtime.broker.ping(timeout=2)
        checks["kafka"] = "ok" if ok else "unreachable"
    except Exception as exc:
        checks["kafka"] = f"unreachable: {type(exc).__name__}"
    problems = runtime.consumers.problems()
    checks["consumers"] = "ok" if not problems else "; ".join(problems)
    return checks


async def details(runtime: Runtime) -> dict[str, Any]:
    """What an operator watches but that does not make the service unready: the outbox
    rows waiting and those the relay set aside as failed (an alert when above 0)."""
    if runtime.relay is None:
        return {}
    try:
        async with asyncio.timeout(2):
            return {"outbox": {"pending": await runtime.relay.pending(),
                               "failed": await runtime.relay.failed_rows(),
                               "relay_leading": runtime.relay.leading}}
    except Exception as exc:
        return {"outbox": f"unknown: {type(exc).__name__}"}


def health_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(prefix="/health", tags=["health"])

    @router.get("/live")
    async def live() -> dict[str, str]:
        return {"status": "live", "service": runtime.settings.service_name}

    @router.get("/ready")
    async def ready() -> JSONResponse:
        checks = await readiness(runtime)
        is_ready = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ready" if is_ready else "not ready",
             "service": runtime.settings.service_name, "checks": checks,
             "details": await details(runtime)},
            status_code=200 if is_ready else 503,
        )

    return router


def metrics_router(runtime: Runtime) -> APIRouter:
    """``GET /metrics``: the Prometheus exposition (open like /health: the platform's
    scraper calls the service directly; the gateway's ingress serves only /api/)."""
    router = APIRouter(tags=["health"])

    @router.get("/metrics", include_in_schema=False)
    async def exposition() -> Response:
        body, content_type = await metrics.scrape(runtime)
        return Response(body, media_type=content_type)

    return router
